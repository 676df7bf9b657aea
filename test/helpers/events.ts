import type { TestProject } from './project.js';
import { waitFor } from './wait.js';

export interface EventJson {
  seq: number;
  time: number;
  type: string;
  data: any;
}

export async function events(p: TestProject, args: string[] = []): Promise<EventJson[]> {
  return p.json<EventJson[]>(['events', ...args]);
}

/** Wait until the daemon has finished its initial scan; returns the status. */
export async function waitReady(p: TestProject): Promise<any> {
  return waitFor(async () => {
    const s = await p.json(['status']);
    return s.watcher?.ready ? s : null;
  }, { what: 'the watcher to be ready' });
}

/** Wait for an event after `since` that matches. */
export async function waitForEvent(p: TestProject, since: number, match: (e: EventJson) => boolean, what: string): Promise<EventJson> {
  return waitFor(async () => (await events(p, ['--since', String(since)])).find(match), { what });
}
