import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputWatcher } from '../../src/watcher/output-watcher.js';
import { waitFor } from '../helpers/wait.js';

let root: string;
let watcher: OutputWatcher | null = null;
afterEach(() => {
  watcher?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('OutputWatcher (real inotify)', () => {
  it('reports files touched anywhere under the output dir, also in directories created later', async () => {
    root = mkdtempSync(join(tmpdir(), 'jmake-outwatch-'));
    mkdirSync(join(root, 'build/obj'), { recursive: true });
    writeFileSync(join(root, 'build/obj/old.o'), 'x');
    const touched = new Set<string>();
    const lost: string[] = [];
    watcher = new OutputWatcher(root, ['build'], { touched: (p) => { touched.add(p); return false; }, lost: (r) => lost.push(r) });
    watcher.start();
    expect(watcher.watches).toBe(2); // build, build/obj: directories only

    writeFileSync(join(root, 'build/obj/old.o'), 'changed by hand');
    await waitFor(() => touched.has('build/obj/old.o'), { what: 'the change' });
    rmSync(join(root, 'build/obj/old.o'));
    touched.clear();
    await waitFor(() => touched.has('build/obj/old.o'), { what: 'the removal' });

    mkdirSync(join(root, 'build/bin/deep'), { recursive: true });
    await waitFor(() => watcher!.watches === 4, { what: 'the new directories to be watched' });
    writeFileSync(join(root, 'build/bin/deep/app'), 'binary');
    await waitFor(() => touched.has('build/bin/deep/app'), { what: 'a file in a new directory' });
    expect(lost).toEqual([]);
  });

  it('never watches a temp folder, found at start or made later, and takes a name the caller knows for a file without a stat', async () => {
    root = mkdtempSync(join(tmpdir(), 'jmake-outwatch-'));
    mkdirSync(join(root, 'build/.jmake-tmp'), { recursive: true });
    const touched = new Set<string>();
    // touched() says which names are files jmake writes, as the builder does: build/known.o (an output of the plan).
    watcher = new OutputWatcher(root, ['build'], { touched: (p) => { touched.add(p); return p === 'build/known.o'; }, lost: () => undefined }, new Set(['.jmake-tmp']));
    watcher.start();
    expect(watcher.watches).toBe(1);
    // A job writes in the temp folder, unseen, and renames into place, seen.
    writeFileSync(join(root, 'build/.jmake-tmp/app'), 'being written');
    renameSync(join(root, 'build/.jmake-tmp/app'), join(root, 'build/app'));
    await waitFor(() => touched.has('build/app'), { what: 'the rename into place' });
    // The same in a new folder, whose temp folder is made with it.
    mkdirSync(join(root, 'build/sub/.jmake-tmp'), { recursive: true });
    await waitFor(() => touched.has('build/sub'), { what: 'the new folder' });
    writeFileSync(join(root, 'build/sub/.jmake-tmp/x.o'), 'x');
    renameSync(join(root, 'build/sub/.jmake-tmp/x.o'), join(root, 'build/sub/x.o'));
    await waitFor(() => touched.has('build/sub/x.o'), { what: 'the rename into place in the new folder' });
    // A name the caller knows as a file is not looked at, so a folder of that name is not watched,
    mkdirSync(join(root, 'build/known.o'));
    await waitFor(() => touched.has('build/known.o'), { what: 'the known name\'s event' });
    // while any other new folder is.
    mkdirSync(join(root, 'build/conf.d'));
    await waitFor(() => touched.has('build/conf.d'), { what: 'the other folder event' });
    writeFileSync(join(root, 'build/conf.d/x.o'), 'x');
    await waitFor(() => touched.has('build/conf.d/x.o'), { what: 'a file in the new folder' });
    expect([...touched].filter((p) => p.includes('.jmake-tmp'))).toEqual([]);
    expect(watcher.watches).toBe(3); // build, build/sub and build/conf.d
  });
});
