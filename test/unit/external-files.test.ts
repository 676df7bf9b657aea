import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, renameSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExternalFiles } from '../../src/daemon/build-facts.js';
import { watchFileWithInotify } from '../../src/util/file-watch.js';
import { fakeWatches } from '../helpers/fake-watch.js';
import { loadHasher, type Hasher } from '../../src/util/hash.js';
import { waitFor } from '../helpers/wait.js';

let hasher: Hasher;
beforeAll(async () => { hasher = await loadHasher(); });

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
function tempDir(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'jmake-externals-')));
  dirs.push(d);
  return d;
}

describe('ExternalFiles', () => {
  it('trusts a watched file until its watch reports something: no stat meanwhile, a new look after', () => {
    const dir = tempDir();
    const header = join(dir, 'sys.h');
    writeFileSync(header, '#define A 1\n');
    const fake = fakeWatches();
    const externals = new ExternalFiles(dir, hasher, fake.watchFile);
    const first = externals.hash(header);
    expect(first).not.toBeNull();
    expect(fake.watching(header)).toBe(true);

    // Changed behind the watch's back (the fake reports nothing): a later build does not even stat it.
    writeFileSync(header, '#define A 22\n');
    externals.newBuild();
    expect(externals.changed(header)).toBe(false);
    expect(externals.hash(header)).toBe(first);

    // The watch reports it: the next look stats and hashes it again, and watches it again.
    fake.fire(header);
    expect(externals.watched).toBe(0);
    externals.newBuild();
    expect(externals.changed(header)).toBe(true);
    expect(externals.hash(header)).not.toBe(first);
    expect(fake.watching(header)).toBe(true);
  });

  it('without a watch (none given, or past the budget) a file is stat\'ed once per build', () => {
    const dir = tempDir();
    const [a, b] = [join(dir, 'a.h'), join(dir, 'b.h')];
    writeFileSync(a, 'a\n');
    writeFileSync(b, 'b\n');
    const fake = fakeWatches();
    const externals = new ExternalFiles(dir, hasher, fake.watchFile, 1);
    externals.hash(a);
    externals.hash(b);
    expect([fake.watching(a), fake.watching(b)]).toEqual([true, false]);
    writeFileSync(b, 'b changed\n');
    expect(externals.changed(b)).toBe(false); // same build: looked at once
    externals.newBuild();
    expect(externals.changed(b)).toBe(true);

    const unwatched = new ExternalFiles(dir, hasher);
    unwatched.hash(a);
    writeFileSync(a, 'a changed\n');
    unwatched.newBuild();
    expect(unwatched.changed(a)).toBe(true);
  });

  it('a file refused a watch is stat\'ed at each build and not offered a watch again', () => {
    const dir = tempDir();
    const linked = join(dir, 'linked.h');
    writeFileSync(linked, 'x\n');
    let offers = 0;
    const externals = new ExternalFiles(dir, hasher, () => { offers++; return null; });
    externals.hash(linked);
    writeFileSync(linked, 'y\n');
    externals.newBuild();
    expect(externals.changed(linked)).toBe(true);
    expect(offers).toBe(1);
  });

  it('a missing file is not trusted: it is looked for again at each build', () => {
    const dir = tempDir();
    const gone = join(dir, 'gone.h');
    const fake = fakeWatches();
    const externals = new ExternalFiles(dir, hasher, fake.watchFile);
    expect(externals.hash(gone)).toBeNull();
    writeFileSync(gone, 'here now\n');
    externals.newBuild();
    expect(externals.changed(gone)).toBe(true);
  });
});

describe('watchFileWithInotify', () => {
  it('reports a write and a replacing rename of the file; refuses a path through a symbolic link', async () => {
    const dir = tempDir();
    const file = join(dir, 'x.h');
    writeFileSync(file, '1\n');
    let events = 0;
    const watch = watchFileWithInotify(file, () => { events++; });
    expect(watch).not.toBeNull();
    writeFileSync(file, '2\n');
    await waitFor(() => events > 0, { what: 'the write to be reported', timeoutMs: 5000 });
    watch!.close();

    let replaced = 0;
    const again = watchFileWithInotify(file, () => { replaced++; });
    writeFileSync(join(dir, 'x.h.tmp'), '3\n');
    renameSync(join(dir, 'x.h.tmp'), file); // an editor's or a package manager's atomic save
    await waitFor(() => replaced > 0, { what: 'the replacement to be reported', timeoutMs: 5000 });
    again!.close();

    symlinkSync(dir, join(dir, 'link'));
    expect(watchFileWithInotify(join(dir, 'link', 'x.h'), () => undefined)).toBeNull();
    expect(watchFileWithInotify(join(dir, 'missing.h'), () => undefined)).toBeNull();
  });
});
