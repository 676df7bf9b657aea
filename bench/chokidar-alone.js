// Child of scenario 4: chokidar alone on a tree, with the option the daemon needs (alwaysStat),
// until 'ready'. Prints the time from watch() to ready, the RSS and the inotify watches it holds.
// Usage: node chokidar-alone.js <root>
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { watch } from 'chokidar';

const root = process.argv[2];
let files = 0;
let dirs = 0;
let errors = 0;
const t0 = performance.now();
// .jmake (left by a daemon run on the same tree) is skipped, as the daemon skips it.
const watcher = watch(root, { alwaysStat: true, ignored: (path) => path.includes('/.jmake') });
watcher.on('add', () => { files++; });
watcher.on('addDir', () => { dirs++; });
watcher.on('error', () => { errors++; });
watcher.on('ready', async () => {
  const readyMs = performance.now() - t0;
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  let watches = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:inotify') continue;
      watches += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    } catch { /* not ours to read */ }
  }
  process.stdout.write(`${JSON.stringify({ readyMs, files, dirs, errors, rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM'), watches })}\n`);
  await watcher.close();
  process.exit(0);
});
