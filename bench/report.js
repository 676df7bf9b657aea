// Writing the results: bench/results/<name>.json (everything, raw samples included) and
// bench/results/<name>.md (the table). Files are written to <file>.tmp and renamed into place.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, fmtBytes, fmtCount, fmtMs, round } from './lib.js';

export const RESULTS_DIR = join(BENCH_DIR, 'results');

export function writeResults(names, results) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(results, roundNumbers, 2)}\n`;
  const md = renderMarkdown(results);
  const written = [];
  for (const name of names) {
    for (const [ext, text] of [['json', json], ['md', md]]) {
      const path = join(RESULTS_DIR, `${name}.${ext}`);
      writeFileSync(`${path}.tmp`, text);
      renameSync(`${path}.tmp`, path);
      written.push(path);
    }
  }
  return written;
}

function roundNumbers(_key, value) {
  return typeof value === 'number' && !Number.isInteger(value) ? round(value, 4) : value;
}

export function formatValue(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (unit === 'bytes') return fmtBytes(value);
  if (unit === 'count') return fmtCount(Math.round(value));
  return fmtMs(value);
}

export function renderMarkdown(results) {
  const m = results.machine;
  const lines = [];
  lines.push(`# jmake benchmarks (${results.mode})`, '');
  lines.push(`- Machine: ${m.cores} cores, ${m.cpuModel}, ${fmtBytesShort(m.memoryGiB)} RAM, ${m.platform}`);
  lines.push(`- Node: ${m.node}`);
  if (m.jmakeClient) lines.push(`- jmake commands: ${m.jmakeClient}`);
  lines.push(`- Date: ${m.date}`);
  lines.push(`- Mode: ${results.mode}${results.mode === 'quick' ? ' (fewer runs, 10k tree only; see bench/README.md)' : ''}; the suite took ${(results.durationMs / 1000).toFixed(0)} s`);
  lines.push(`- Environment: every measured process (node -e 0 included) ran with NODE_EXTRA_CA_CERTS removed from its environment${m.nodeExtraCaCertsInParentEnv ? ' (it is set in this sandbox and adds ~60 ms to every node start)' : ''}; daemons ran in temp dirs with their own XDG_RUNTIME_DIR and TMPDIR.`);
  lines.push(`- Load average (1/5/15 min) at start ${m.loadAverageAtStart?.join(' / ')}, at end ${m.loadAverageAtEnd?.join(' / ') ?? '—'}. The machine is noisy: compare ratios within one run rather than absolute figures across runs.`);
  const took = Object.entries(results.scenarios ?? {}).map(([key, sc]) => `${key} ${(sc.durationMs / 1000).toFixed(0)} s`);
  if (took.length > 0) lines.push(`- Scenario times: ${took.join(', ')}${results.build10k === 'only' ? ' (build at 10k sources only)' : results.build10k ? ' (build at 1k and 10k sources)' : ''}`);
  lines.push('');
  lines.push('| scenario | runs | median | min | max | target | ratio | met | notes |');
  lines.push('|---|---:|---:|---:|---:|---|---:|:---:|---|');
  for (const row of results.rows) {
    if (row.error) {
      lines.push(`| ${row.scenario} | — | — | — | — | — | — | FAILED | ${escape(row.error.split('\n')[0])} |`);
      continue;
    }
    const met = row.met === null || row.met === undefined ? '' : row.met ? 'yes' : '**NO**';
    lines.push(`| ${row.scenario} | ${fmtCount(row.runs)} | ${formatValue(row.median, row.unit)} | ${formatValue(row.min, row.unit)} | ${formatValue(row.max, row.unit)} | ${row.target ?? '—'} | ${row.ratio === null || row.ratio === undefined ? '—' : row.ratio.toFixed(3)} | ${met} | ${escape(row.notes ?? '')} |`);
  }
  lines.push('');
  lines.push('Ratio: for rows 1, the median over the median of `node -e 0` (same run, same environment); for rows with a time target, median / target (≤ 1 meets it); for rows 4, the daemon figure over the same figure for chokidar alone on the same tree.');
  if (results.rows.some((r) => /^5/.test(r.scenario ?? ''))) {
    lines.push('Rows 5 (builds; bench/build.js): ratio vs ninja on the same tree in the same run, except the no-op rows (5b), whose ratio is vs `node -e 0` in the same loop (the ratio vs ninja is in the notes). Times run from spawning the command to its exit; tools alternate run by run in rotating order. The overhead rows are jmake\'s wall time minus the time its jobs need: compile + link (the critical path) for one edited source; max(longest compile, Σ compiles / -j) + link for the header edit; job times are the `durationMs` of the jobs in `jmake build --json` (spawn to exit of each tool, as the daemon measured them). The same formula on ninja\'s `.ninja_log` gives ninja\'s overhead (in the notes).');
  }
  lines.push('Times in rows 4 run from launching `jmake daemon start` (or the chokidar-alone script) to the watcher being ready, taken from the daemon log\'s `[watcher] ready` timestamp; readiness was also confirmed by polling `jmake status --json` every 200 ms.');
  if (results.rows.some((row) => String(row.scenario).startsWith('6.'))) {
    lines.push('Rows 6 (real code, bench/real/): wall time of `jmake build --json`, spawn to exit, in a project whose daemon was started and its watcher ready beforehand; the target is the set of jobs that should run, and met says whether the jobs run plus those restored from the compile cache matched it exactly. Every build must succeed and the driver program must pass after it (it must also see the edit and the revert), or the row is FAILED.');
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function fmtBytesShort(gib) {
  return `${gib} GiB`;
}

function escape(text) {
  return String(text).replaceAll('|', '\\|').replaceAll('\n', ' ');
}
