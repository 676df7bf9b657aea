import type { Handler } from '../server.js';

/** Replies first, then stops (accepted from clients of any version, so they can replace us). */
export const shutdown: Handler<'shutdown'> = (params, { daemon, peer }) => {
  daemon.requestShutdown(params.reason ?? `shutdown requested by client #${peer.id}`);
  return { pid: daemon.identity.pid };
};
