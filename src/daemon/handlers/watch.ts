import { JmakeError } from '../../errors.js';
import type { Handler } from '../server.js';

/**
 * `jmake watch`: stays open. Attaches to the build feed (every build, whoever started it), then
 * queues a build that brings the project up to date and arms build on change with these
 * parameters. Ends when the client goes away or the daemon stops; builds are not cancelled then.
 */
export const watch: Handler<'watch'> = (params, request) => new Promise((_resolve, reject) => {
  const { daemon } = request;
  request.progress({ type: 'watching', root: daemon.identity.root, pid: daemon.identity.pid, instance: daemon.identity.instance });
  const detach = daemon.builder.watch((message) => request.progress(message));
  request.signal.addEventListener('abort', () => {
    detach();
    const reason: unknown = request.signal.reason;
    reject(reason instanceof JmakeError ? reason : new JmakeError('cancelled', 'cancelled'));
  }, { once: true });
  daemon.builder.startDetached(params);
});
