#!/usr/bin/env node
'use strict';
// jmake's entry. Hot commands (status, build, notify: an editor runs it on every save) take a lean path: one bundled CommonJS file (dist/client.cjs,
// built from src/cli/fast.ts) that loads neither oclif nor node-ipc, because every millisecond of
// start-up is felt on every call (docs/performance.md). Everything else, and anything the lean path
// does not understand (--help, a typo), goes to the full oclif CLI.
const argv = process.argv.slice(2);
// `jmake -C DIR cmd ...` (make and git style): move the leading global flag behind the command.
if ((argv[0] === '-C' || argv[0] === '--dir') && argv.length >= 2) argv.push(...argv.splice(0, 2));
else if (argv[0] !== undefined && argv[0].startsWith('--dir=')) argv.push(argv.shift());

async function main() {
  if (argv[0] === 'status' || argv[0] === 'build' || argv[0] === 'notify') {
    const client = require('../dist/client.cjs');
    const code = await client.runFast(argv);
    // Exit as soon as the answer is out: waiting for the socket's teardown costs ~1 ms of a ~15 ms
    // budget. The answer was written to the descriptors directly (src/cli/stdio.ts); what a full
    // pipe left queued is flushed first.
    if (code !== null) {
      client.exitWhenFlushed(code);
      return;
    }
  }
  const { execute } = await import('@oclif/core');
  await execute({ args: argv, dir: __dirname });
}

main().catch((err) => {
  process.stderr.write(`jmake: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
