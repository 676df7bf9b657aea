import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollTurn } from '../../src/watcher/poll-turn.js';

// The sync barrier's promise (src/watcher/poll-turn.ts): once pollTurn() resolves, every inotify
// event of a change made before the call has reached its fs.watch callback. Checked on real files,
// from each place the daemon calls it: a socket's data callback (a request), the check phase, and
// right after the daemon's own write in the same callback (a user job's outputs, jmake.toml).

const ROUNDS = 40;
let dir = '';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A watch on a fresh folder, counting the events that reached its callback. */
function watchedFolder(): { file: (i: number) => string; seen: Set<string> } {
  dir = mkdtempSync(join(tmpdir(), 'jmake-poll-turn-'));
  const seen = new Set<string>();
  const watcher = watch(dir, { persistent: false }, (_event, name) => { if (name) seen.add(name); });
  cleanups.push(() => watcher.close());
  return { file: (i) => join(dir, `f${i}`), seen };
}

/** A Unix socket server calling `onData` for each byte it reads, and a client connected to it. */
async function socketPair(onData: (socket: Socket) => void): Promise<Socket> {
  const path = join(dir, 'sock');
  const server: Server = createServer((socket) => socket.on('data', () => onData(socket)));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const client = createConnection(path);
  await new Promise<void>((resolve) => client.once('connect', resolve));
  cleanups.push(() => { client.destroy(); server.close(); });
  return client;
}

/** ROUNDS one-byte requests, one at a time, each sent after `before(i)`; resolves when all were answered. */
async function requestRounds(client: Socket, before: (round: number) => void = () => undefined): Promise<void> {
  for (let i = 0; i < ROUNDS; i++) {
    before(i);
    const answered = new Promise<void>((resolve) => client.once('data', () => resolve()));
    client.write('?');
    await answered;
  }
}

describe('pollTurn', () => {
  // The daemon's usual case. Here the save's event and the request come out of the same poll, so
  // even no wait at all passes this one; the two cases below are the ones a weaker wait fails.
  it('a request sent after a save finds the save heard once the turn is over', async () => {
    const { file, seen } = watchedFolder();
    const outcomes: boolean[] = [];
    let expected = '';
    const client = await socketPair((socket) => {
      const name = expected;
      void pollTurn().then(() => { outcomes.push(seen.has(name)); socket.write('k'); });
    });
    await requestRounds(client, (i) => {
      expected = `f${i}`;
      writeFileSync(file(i), 'x'); // the editor's save, then the client's request
    });
    expect(outcomes).toHaveLength(ROUNDS);
    expect(outcomes.every(Boolean)).toBe(true);
  });

  it('a write made in the same callback, just before the call, is heard too', async () => {
    const { file, seen } = watchedFolder();
    const outcomes: boolean[] = [];
    let round = 0;
    const client = await socketPair((socket) => {
      const i = round++;
      writeFileSync(file(i), 'x'); // after this callback's poll had already returned
      void pollTurn().then(() => { outcomes.push(seen.has(`f${i}`)); socket.write('k'); });
    });
    await requestRounds(client);
    expect(outcomes).toHaveLength(ROUNDS);
    expect(outcomes.every(Boolean)).toBe(true);
  });

  it('called from the check phase (an immediate), it still waits for a poll after the call', async () => {
    const { file, seen } = watchedFolder();
    for (let i = 0; i < ROUNDS; i++) {
      const heard = await new Promise<boolean>((resolve) => setImmediate(() => {
        writeFileSync(file(i), 'x');
        void pollTurn().then(() => resolve(seen.has(`f${i}`)));
      }));
      expect(heard, `round ${i}`).toBe(true);
    }
  });
});
