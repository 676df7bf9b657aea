// Scenario 1: client round trip. `jmake status` end to end against a real daemon (a copy of
// fixtures/hello, watcher ready) versus `node -e 0`, run by run in rotating order, same cwd and
// the same environment (NODE_EXTRA_CA_CERTS removed). `status --json` and the oclif path
// `jmake daemon status` are measured in the same rotation, for reference.
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, JMAKE, NATIVE_CLIENT_BUILT, NODE, REPO_ROOT, log, makeProject, summarize } from './lib.js';

const WARMUP_ROUNDS = 3;

export async function benchClient({ base, quick }) {
  const runs = quick ? 15 : 40;
  const project = makeProject(base, 'client');
  cpSync(join(REPO_ROOT, 'fixtures', 'hello'), project.root, {
    recursive: true,
    filter: (src) => !src.split('/').includes('.jmake'),
  });
  try {
    const { pid } = await project.start();
    const ready = await project.waitReady({ deadlineMs: 30_000, intervalMs: 100 });
    log(`client: daemon ${pid} ready (${ready.status.files.tracked} files tracked); ${runs} runs per command`);

    const commands = [
      { key: 'node', label: '`node -e 0`', file: NODE, args: ['-e', '0'] },
      { key: 'status', label: `\`jmake status\` (bin/jmake: ${NATIVE_CLIENT_BUILT ? 'the native client' : 'the Node CLI, no native client was built'})`, file: JMAKE, args: ['status'], expect: /watcher\s+ready/ },
      { key: 'json', label: '`jmake status --json`', file: JMAKE, args: ['status', '--json'], expect: /"ready": true/ },
      { key: 'oclif', label: '`jmake daemon status` (oclif)', file: NODE, args: [BIN, 'daemon', 'status'], expect: /running: pid/ },
      { key: 'nodeStatus', label: '`node bin/run.cjs status` (the Node CLI)', file: NODE, args: [BIN, 'status'], expect: /watcher\s+ready/ },
    ];
    const samples = Object.fromEntries(commands.map((c) => [c.key, []]));
    const runOnce = (command) => {
      const started = process.hrtime.bigint();
      const result = spawnSync(command.file, command.args, { cwd: project.root, env: project.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.status !== 0 || (command.expect && !command.expect.test(result.stdout))) {
        throw new Error(`${command.label} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
      }
      return ms;
    };
    for (let round = -WARMUP_ROUNDS; round < runs; round++) {
      // Rotate the order every round: each command runs first, second, ... equally often, and
      // `node -e 0` and `jmake status` are neighbours in every round.
      const offset = ((round % commands.length) + commands.length) % commands.length;
      for (let i = 0; i < commands.length; i++) {
        const command = commands[(i + offset) % commands.length];
        const ms = runOnce(command);
        if (round >= 0) samples[command.key].push(ms);
      }
    }
    const stats = Object.fromEntries(commands.map((c) => [c.key, summarize(samples[c.key])]));
    // Per-round ratio: status / node of the same round (robust to drift across the run).
    const pairRatios = samples.status.map((ms, i) => ms / samples.node[i]);
    const baseline = stats.node.median;
    const statusRatio = stats.status.median / baseline;
    const env = 'same env for all: NODE_EXTRA_CA_CERTS removed, own XDG_RUNTIME_DIR/TMPDIR, cwd = project root';
    const rows = [
      {
        scenario: `1. ${commands[0].label} (baseline)`, runs, unit: 'ms', ...pick(stats.node),
        target: null, ratio: 1, met: null, notes: env,
      },
      {
        scenario: `1. ${commands[1].label} round trip`, runs, unit: 'ms', ...pick(stats.status),
        target: '≤ 1.25 × node -e 0', ratio: statusRatio, met: statusRatio <= 1.25,
        notes: `status − node = ${(stats.status.median - baseline).toFixed(1)} ms; median of per-round ratios ${summarize(pairRatios).median.toFixed(3)}`,
      },
      {
        scenario: `1. ${commands[2].label} (reference)`, runs, unit: 'ms', ...pick(stats.json),
        target: null, ratio: stats.json.median / baseline, met: null, notes: 'ratio vs node -e 0',
      },
      {
        scenario: `1. ${commands[3].label} (reference)`, runs, unit: 'ms', ...pick(stats.oclif),
        target: null, ratio: stats.oclif.median / baseline, met: null, notes: 'ratio vs node -e 0',
      },
      {
        scenario: `1. ${commands[4].label} (reference)`, runs, unit: 'ms', ...pick(stats.nodeStatus),
        target: null, ratio: stats.nodeStatus.median / baseline, met: null, notes: 'ratio vs node -e 0; what `jmake status` costs without the native client',
      },
    ];
    return {
      rows,
      details: {
        runsPerCommand: runs,
        warmupRounds: WARMUP_ROUNDS,
        environment: env,
        daemonPid: pid,
        stats,
        pairRatioMedian: summarize(pairRatios).median,
        samplesMs: samples,
      },
    };
  } finally {
    project.stopSync();
  }
}

function pick(s) {
  return { median: s.median, min: s.min, max: s.max, p99: s.p99 };
}
