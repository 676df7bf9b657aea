/**
 * `jmake events`: pages through the daemon's log (each reply is bounded), printing as it goes;
 * `--json` prints one array, `--follow` then streams new events (one JSON object a line) until
 * Ctrl-C or the daemon stops.
 */
import { EVENT_TYPES, type JmakeEvent } from '../../events/types.js';
import { connectDaemon } from '../client/connect.js';
import type { DaemonConnection } from '../client/connection.js';
import { JmakeError, type ExitCode } from '../errors.js';
import { printJsonLine, reportError } from './output.js';
import { renderEvent } from './render/events.js';
import { stdout } from './stdio.js';

export interface EventsOptions {
  readonly root: string;
  readonly json: boolean;
  readonly since: number | undefined;
  readonly types: readonly string[] | undefined;
  readonly limit: number | undefined;
  readonly follow: boolean;
}

export async function runEvents(options: EventsOptions): Promise<ExitCode> {
  try {
    const unknown = (options.types ?? []).filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (unknown.length > 0) {
      throw new JmakeError('usage', `unknown event type ${unknown.join(', ')}`, 2, `known types: ${EVENT_TYPES.join(', ')}`);
    }
    const session = await connectDaemon({ root: options.root, client: 'jmake events', autoStart: true });
    try {
      const printArray = options.json && !options.follow;
      const print = printArray ? arrayPrinter() : (e: JmakeEvent) => (options.json ? printJsonLine(e) : stdout.write(renderEvent(e)));
      let lastSeq = 0;
      if (!options.follow || options.since !== undefined) {
        lastSeq = await printPages(session.connection, options, print);
      } else {
        lastSeq = session.hello.lastSeq;
      }
      if (printArray) (print as ArrayPrinter).end();
      if (options.follow) await follow(session.connection, lastSeq, options.types, print);
    } finally {
      session.connection.close();
    }
    return 0;
  } catch (err) {
    return reportError(err, options.json);
  }
}

async function printPages(connection: DaemonConnection, options: EventsOptions, print: (e: JmakeEvent) => void): Promise<number> {
  let since = options.since ?? 0;
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  for (;;) {
    const page = await connection.call('events', { since, types: options.types, limit: Math.min(remaining, 1000) });
    for (const event of page.events) print(event);
    remaining -= page.events.length;
    // Where a later --follow continues: after the last event printed, or the end of the log.
    if (remaining <= 0) return page.events.at(-1)?.seq ?? since;
    if (page.next === null) return page.lastSeq;
    since = page.next;
  }
}

async function follow(connection: DaemonConnection, since: number, types: readonly string[] | undefined, print: (e: JmakeEvent) => void): Promise<void> {
  const request = connection.start('events', { since, types, follow: true }, (progress) => print(progress.event));
  const stop = () => { void connection.call('cancel', { rid: request.rid }).catch(() => undefined); };
  process.once('SIGINT', stop);
  try {
    await request.done;
  } catch (err) {
    if (err instanceof JmakeError && err.code === 'cancelled') return;
    throw err;
  } finally {
    process.removeListener('SIGINT', stop);
  }
}

type ArrayPrinter = ((e: JmakeEvent) => void) & { end(): void };

function arrayPrinter(): ArrayPrinter {
  let first = true;
  const print = ((e: JmakeEvent) => {
    stdout.write(`${first ? '[\n  ' : ',\n  '}${JSON.stringify(e)}`);
    first = false;
  }) as ArrayPrinter;
  print.end = () => stdout.write(first ? '[]\n' : '\n]\n');
  return print;
}
