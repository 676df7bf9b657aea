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
    const code = await require('../dist/client.cjs').runFast(argv);
    // Exit as soon as the answer is out: waiting for the socket's teardown costs ~1 ms of a ~15 ms
    // budget. A pipe takes 64 KiB at once; what is still queued is flushed first.
    if (code !== null) {
      exitWhenFlushed(code);
      return;
    }
  }
  const { execute } = await import('@oclif/core');
  await execute({ args: argv, dir: __dirname });
}

function exitWhenFlushed(code) {
  const pending = [process.stdout, process.stderr].filter((stream) => stream.writableLength > 0);
  if (pending.length === 0) process.exit(code);
  let left = pending.length;
  for (const stream of pending) {
    stream.once('drain', () => {
      if (--left === 0) process.exit(code);
    });
  }
}

main().catch((err) => {
  process.stderr.write(`jmake: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
