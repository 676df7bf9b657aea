import type { JmakeEvent } from '../../../events/types.js';
import { upcast } from '../../../events/upcast.js';
import { JmakeError } from '../../errors.js';
import type { EventsResult } from '../../protocol/messages.js';
import type { DaemonContext } from '../context.js';
import type { Handler } from '../server.js';

/** At most this many events or bytes per reply (node-ipc reassembles large frames slowly). */
const PAGE_EVENTS = 1000;
const PAGE_BYTES = 256 * 1024;

/**
 * A page of history after `since`, read from the log file (not memory). With `follow`, the
 * request stays open: the backlog, then every new matching event, is sent as progress until the
 * client cancels or disconnects.
 */
export const events: Handler<'events'> = (params, request) => {
  const { daemon } = request;
  const types = params.types && params.types.length > 0 ? params.types : undefined;
  if (!params.follow) return readPage(daemon, params.since ?? 0, types, Math.min(params.limit ?? PAGE_EVENTS, PAGE_EVENTS));

  return new Promise<EventsResult>((_resolve, reject) => {
    let cursor = params.since ?? daemon.recorder.state.lastSeq;
    // Backlog and subscription in one synchronous step: no event can fall between them.
    for (;;) {
      const page = readPage(daemon, cursor, types, PAGE_EVENTS);
      for (const event of page.events) request.progress({ event });
      cursor = page.next ?? daemon.recorder.state.lastSeq;
      if (page.next === null) break;
    }
    const wanted = types ? new Set(types) : null;
    const unsubscribe = daemon.recorder.subscribe((recorded) => {
      for (const event of recorded) {
        if (event.seq > cursor && (!wanted || wanted.has(event.type))) request.progress({ event });
      }
    });
    request.signal.addEventListener('abort', () => {
      unsubscribe();
      const reason: unknown = request.signal.reason;
      reject(reason instanceof JmakeError ? reason : new JmakeError('cancelled', 'cancelled'));
    }, { once: true });
  });
};

function readPage(daemon: DaemonContext, since: number, types: readonly string[] | undefined, limit: number): EventsResult {
  const page = daemon.recorder.readPage({ since, types, limit, maxBytes: PAGE_BYTES });
  const events: JmakeEvent[] = [];
  for (const record of page.records) {
    const result = upcast(record);
    if (result.ok) events.push(result.event);
  }
  return { events, next: page.next, lastSeq: daemon.recorder.state.lastSeq };
}
