import type { JmakeEvent } from '../../../events/types.js';
import { colors } from '../output.js';

/** One line per event: seq, time, type, and the few fields that matter for that type. */
export function renderEvent(event: JmakeEvent): string {
  const c = colors();
  return `${String(event.seq).padStart(7)}  ${c.dim(new Date(event.time).toISOString())}  ${event.type.padEnd(16)} ${summary(event)}\n`;
}

function summary(event: JmakeEvent): string {
  switch (event.type) {
    case 'file-added':
    case 'file-changed':
      return `${event.data.path}  ${event.data.hash}  ${event.data.size} B`;
    case 'file-removed':
      return event.data.path;
    case 'config-loaded':
    case 'config-changed':
      return event.data.changed.length ? `changed: ${event.data.changed.join(', ')}` : 'no key changed';
    case 'config-invalid':
      return `jmake.toml:${event.data.error.line}:${event.data.error.column}: ${event.data.error.message}`;
    case 'daemon-started':
      return `pid ${event.data.pid}, jmake ${event.data.version}, instance ${event.data.instance}`;
    case 'daemon-stopped':
      return `pid ${event.data.pid}: ${event.data.reason}`;
    case 'watcher-rescan':
      return `${event.data.reason}: ${event.data.scanned} files, ${event.data.changed} changed, ${event.data.durationMs}ms`;
    case 'watcher-overflow':
      return `${event.data.code} on ${event.data.path}: ${event.data.fallback === 'rescan' ? 'rescanning' : 'polling'}`;
    case 'log-recovered':
      return `cut ${event.data.truncatedBytes} bytes at offset ${event.data.offset}: ${event.data.reason}`;
    default:
      return JSON.stringify((event as { data: unknown }).data);
  }
}
