import type { StatusResult } from '../../protocol/messages.js';
import { colors, type Colors } from '../output.js';

export function renderStatus(s: StatusResult, c: Colors = colors()): string {
  const w = s.watcher;
  const lines = [
    `${c.bold('daemon')}   pid ${s.daemon.pid}, jmake ${s.daemon.version}, up ${duration(s.daemon.uptimeMs)} (instance ${s.daemon.instance})`,
    `${c.bold('root')}     ${s.root}`,
    `${c.bold('files')}    ${s.files.tracked} tracked, ${s.files.changedSinceBuild} changed since the last build`,
    `${c.bold('events')}   last seq ${s.events.lastSeq}, log ${bytes(s.events.logBytes)}`,
    `${c.bold('watcher')}  ${w.ready ? c.green('ready') : c.yellow('initial scan in progress')}, ${w.watchedPaths} paths watched${w.externalWatches > 0 ? ` + ${w.externalWatches} inputs outside them` : ''} (${w.scope === null ? 'the whole tree' : w.scope.length === 0 ? 'only jmake.toml' : `in ${w.scope.join(', ')}`}), ${w.rescans} rescans${w.lastRescan && w.lastRescan.reason !== 'startup' ? ` (last: ${w.lastRescan.reason}, ${w.lastRescan.changed} changed)` : ''}${w.ready && !w.synced ? c.yellow(' (not synced: answer may miss an edit)') : ''}`,
  ];
  if (w.fallbacks.length > 0) {
    lines.push(`         ${c.yellow(`polling ${w.fallbacks.length} unwatchable paths every ${duration(w.pollIntervalMs)}`)}: ${w.fallbacks.slice(0, 5).join(', ')}${w.fallbacks.length > 5 ? ', ...' : ''}`);
  }
  for (const e of w.errors.slice(-3)) lines.push(`         ${c.red(`error ${e.code}`)} ${e.path}: ${e.message}`);
  lines.push(s.config.error
    ? `${c.bold('config')}   ${c.red('error')} ${s.config.error.file}:${s.config.error.line}:${s.config.error.column}: ${s.config.error.message}`
    : `${c.bold('config')}   ok`);
  const last = s.builds.last;
  lines.push(`${c.bold('builds')}   ${s.builds.running ? c.yellow('building now; ') : ''}${last
    ? `last${last.trigger === 'change' ? ' (on change)' : ''}: ${last.ok ? c.green('ok') : c.red('failed')}, ${last.jobsRun} job${last.jobsRun === 1 ? '' : 's'} run${last.carried ? ` (+${last.carried} on change)` : ''} in ${duration(last.durationMs)}, ${duration(Date.now() - last.finishedAt)} ago`
    : 'none yet'}`);
  for (const h of s.distributed?.hosts ?? []) {
    lines.push(`${c.bold('distcc')}   ${h.host}: ${h.jobs} compile${h.jobs === 1 ? '' : 's'}${h.fallbacks > 0 ? c.yellow(`, ${h.fallbacks} fell back to local`) : ''}`);
  }
  if (s.log.writeError) lines.push(`${c.bold('log')}      ${c.red(`cannot write the event log: ${s.log.writeError}`)}`);
  if (s.log.recoveredAtStart) lines.push(`${c.bold('log')}      ${c.yellow('a torn tail was recovered at start (see jmake events --type log-recovered)')}`);
  return `${lines.join('\n')}\n`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
