import type { Handler } from '../server.js';

/** Runs (or queues) a build; progress frames carry job starts and finishes for the status line. */
export const build: Handler<'build'> = (params, request) =>
  request.daemon.builder.build(params, (progress) => request.progress(progress), request.cancel);
