import { JmakeError } from '../../errors.js';
import type { Handler } from '../server.js';

/** Ends another request of the same connection (e.g. an events subscription). */
export const cancel: Handler<'cancel'> = (params, { peer }) => {
  const target = peer.inflight.get(params.rid);
  if (!target) return { cancelled: false };
  target.cancel.abort(new JmakeError('cancelled', `request ${params.rid} was cancelled`));
  return { cancelled: true };
};

/** Stops the build running now, whoever asked for it (`jmake jobs cancel`). */
export const cancelBuild: Handler<'cancel-build'> = (_params, { daemon }) => ({ cancelled: daemon.builder.cancelRunning() });
