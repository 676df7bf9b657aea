/** `jmake cache stats|clean`: ask the daemon (it knows the project's [cache] settings) and print the answer. */
import { connectDaemon } from '../client/connect.js';
import type { CacheResult } from '../protocol/messages.js';
import { printJson } from './output.js';

export async function runCache(root: string, action: 'stats' | 'clean', json: boolean, log: (line: string) => void): Promise<void> {
  const session = await connectDaemon({ root, client: `jmake cache ${action}`, autoStart: true });
  try {
    const result = await session.connection.call('cache', { action });
    if (json) printJson(result);
    else log(action === 'clean' ? `removed ${result.entries} entries (${size(result.bytes)}) from ${result.dir}` : describeStats(result));
  } finally {
    session.connection.close();
  }
}

function describeStats(r: CacheResult): string {
  return [
    `cache     ${r.dir}${r.enabled ? '' : ' (disabled by [cache] enabled = false)'}`,
    `entries   ${r.entries}, ${size(r.bytes)} of ${size(r.maxBytes)}`,
    `daemon    ${r.hits} restored, ${r.misses} missed, ${r.stored} stored since it started`,
  ].join('\n');
}

export function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
