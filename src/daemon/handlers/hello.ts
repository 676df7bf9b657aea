import { PROTOCOL_VERSION } from '../../protocol/messages.js';
import type { Handler } from '../server.js';

/** Versions first: a client talking to a daemon of another version may only ask it to shut down. */
export const hello: Handler<'hello'> = (params, { daemon, peer }) => {
  const { identity } = daemon;
  const compatible = params.protocol === PROTOCOL_VERSION && params.version === identity.version;
  peer.hello = { compatible, client: params.client ?? 'unknown' };
  daemon.logger.log('request', `#${peer.id} hello from ${params.client ?? 'unknown'} ${params.version} (protocol ${params.protocol})${compatible ? '' : ': version mismatch'}`);
  return {
    protocol: PROTOCOL_VERSION,
    version: identity.version,
    pid: identity.pid,
    instance: identity.instance,
    root: identity.root,
    lastSeq: daemon.recorder.state.lastSeq,
    busy: daemon.busy(peer.id),
    compatible,
  };
};
