/**
 * Two (or more) "hosts" on this machine: network namespaces made by the test, each joined to the
 * test's namespace by a veth pair on its own small subnet. Removed at the end.
 */
import { execa, execaSync } from 'execa';

export interface Host {
  readonly netns: string;
  /** This host's address (inside its namespace). */
  readonly address: string;
  /** The test side's address on the link to it: where its clients come from. */
  readonly peer: string;
}

export function netnsProblem(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `jmake-probe-${process.pid}`;
  try {
    execaSync('ip', ['netns', 'add', probe]);
    execaSync('ip', ['netns', 'del', probe]);
    return null;
  } catch (err) {
    return `cannot make a network namespace here (${(err as Error).message.split('\n')[0]})`;
  }
}

/** `count` hosts; `remove()` deletes the namespaces and links. */
export async function makeHosts(count: number): Promise<{ hosts: Host[]; remove(): Promise<void> }> {
  const tag = `${process.pid % 10_000}`;
  const net = 200 + (process.pid % 50); // 10.<net>.<i>.0/30 per host
  const hosts: Host[] = [];
  const made: { netns: string; link: string }[] = [];
  const ip = (...args: string[]) => execa('ip', args);
  const remove = async () => {
    for (const m of made.splice(0)) {
      await execa('ip', ['link', 'del', m.link], { reject: false });
      await execa('ip', ['netns', 'del', m.netns], { reject: false });
    }
  };
  try {
    for (let i = 1; i <= count; i++) {
      const netns = `jmake-${tag}-h${i}`;
      const outer = `jm${tag}o${i}`;
      const inner = `jm${tag}i${i}`;
      const peer = `10.${net}.${i}.1`;
      const address = `10.${net}.${i}.2`;
      await ip('netns', 'add', netns);
      made.push({ netns, link: outer });
      await ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
      await ip('link', 'set', inner, 'netns', netns);
      await ip('addr', 'add', `${peer}/30`, 'dev', outer);
      await ip('link', 'set', outer, 'up');
      await ip('netns', 'exec', netns, 'ip', 'addr', 'add', `${address}/30`, 'dev', inner);
      await ip('netns', 'exec', netns, 'ip', 'link', 'set', inner, 'up');
      await ip('netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up');
      hosts.push({ netns, address, peer });
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { hosts, remove };
}
