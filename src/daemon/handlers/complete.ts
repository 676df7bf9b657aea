import type { Handler } from '../server.js';

/** Fills the missing jmake.toml fields through the completion jobs; progress frames report each job. */
export const complete: Handler<'complete'> = (params, request) =>
  request.daemon.completer.complete(params, (progress) => request.progress(progress), request.signal);
