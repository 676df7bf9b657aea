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

  it('reports a temp output (the suffix jmake gives them) or a known output without looking whether it is a new folder', async () => {
    root = mkdtempSync(join(tmpdir(), 'jmake-outwatch-'));
    mkdirSync(join(root, 'build'), { recursive: true });
    const touched = new Set<string>();
    // touched() says which names are files jmake writes, as the builder does: its temp outputs and
    // build/known.o (an output of the plan).
    watcher = new OutputWatcher(root, ['build'], { touched: (p) => { touched.add(p); return p.endsWith('.jmake-tmp') || p === 'build/known.o'; }, lost: () => undefined });
    watcher.start();
    writeFileSync(join(root, 'build/app.jmake-tmp'), 'being written');
    renameSync(join(root, 'build/app.jmake-tmp'), join(root, 'build/app'));
    await waitFor(() => touched.has('build/app.jmake-tmp') && touched.has('build/app'), { what: 'the temp output and its rename' });
    // Such a name is taken for a file without a stat: a folder so named is not watched (jmake makes none),
    mkdirSync(join(root, 'build/odd.jmake-tmp'));
    await waitFor(() => touched.has('build/odd.jmake-tmp'), { what: 'the folder event' });
    // and neither is a name the caller knows as a file,
    mkdirSync(join(root, 'build/known.o'));
    await waitFor(() => touched.has('build/known.o'), { what: 'the known name\'s event' });
    // while any other new folder is.
    mkdirSync(join(root, 'build/conf.d'));
    await waitFor(() => touched.has('build/conf.d'), { what: 'the other folder event' });
    writeFileSync(join(root, 'build/conf.d/x.o'), 'x');
    await waitFor(() => touched.has('build/conf.d/x.o'), { what: 'a file in the new folder' });
    expect(watcher.watches).toBe(2); // build and build/conf.d
  });
});
