#!/usr/bin/env node
'use strict';
// jmake's entry. Hot commands (status, build) take a lean path: one bundled CommonJS file (dist/client.cjs,
// built from src/cli/fast.ts) that loads neither oclif nor node-ipc, because every millisecond of
// start-up is felt on every call (docs/performance.md). Everything else, and anything the lean path
// does not understand (--help, a typo), goes to the full oclif CLI.
const argv = process.argv.slice(2);
// `jmake -C DIR cmd ...` (make and git style): move the leading global flag behind the command.
if ((argv[0] === '-C' || argv[0] === '--dir') && argv.length >= 2) argv.push(...argv.splice(0, 2));
else if (argv[0] !== undefined && argv[0].startsWith('--dir=')) argv.push(argv.shift());

async function main() {
  if (argv[0] === 'status' || argv[0] === 'build') {
    const code = await require('../dist/client.cjs').runFast(argv);
    // Exit at once: the answer is written (stdout to a pipe, file or terminal is synchronous on
    // Linux) and waiting for the socket's teardown costs ~1 ms of a ~15 ms budget.
    if (code !== null) process.exit(code);
  }
  const { execute } = await import('@oclif/core');
  await execute({ args: argv, dir: __dirname });
}

main().catch((err) => {
  process.stderr.write(`jmake: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
