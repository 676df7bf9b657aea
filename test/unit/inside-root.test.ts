/**
 * jmake writes and deletes only inside the project (issue 8): symbolic links on the way to an
 * output, and which files a recorded job owns. Real files in a temp dir.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownedFiles } from '../../src/graph/outputs.js';
import { describeEscape, escapingLink, escapingLinkTo, isPlainRelative, realFolderInside, removeInside, removeTempFolder } from '../../src/util/inside-root.js';

let base: string;
let root: string;
let outside: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'jmake-inside-root-')));
  root = join(base, 'project');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'build', 'obj'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim.o'), 'keep');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('isPlainRelative', () => {
  it('accepts relative paths without . or .. segments, and nothing else', () => {
    for (const p of ['build', 'build/obj/src/a.c.o', '..gen/x', 'a..b', '.hidden/x']) expect(isPlainRelative(p), p).toBe(true);
    for (const p of ['', '/tmp/x', '../x', 'build/../x', 'build/./x', './build', 'build//x', 'build/', '..', '.']) expect(isPlainRelative(p), p).toBe(false);
  });
});

describe('realFolderInside (the runner\'s quick check before each job)', () => {
  it('is true for a real folder inside and a link that stays inside; false for one that leads out, a missing folder, a root reached through a link too', () => {
    expect(realFolderInside(root, join(root, 'build', 'obj'))).toBe(true);
    expect(realFolderInside(root, root)).toBe(true);
    mkdirSync(join(root, 'real-out'));
    symlinkSync('../real-out', join(root, 'build', 'inside'));
    expect(realFolderInside(root, join(root, 'build', 'inside'))).toBe(true);
    symlinkSync(outside, join(root, 'build', 'out'));
    expect(realFolderInside(root, join(root, 'build', 'out'))).toBe(false);
    // A sibling whose name starts with the root's is not inside it.
    mkdirSync(`${root}-other`);
    symlinkSync(`${root}-other`, join(root, 'build', 'sibling'));
    expect(realFolderInside(root, join(root, 'build', 'sibling'))).toBe(false);
    expect(realFolderInside(root, join(root, 'build', 'not-yet'))).toBe(false);
    // The root itself through a link: compared by real paths on both sides.
    symlinkSync(root, join(base, 'root-link'));
    expect(realFolderInside(join(base, 'root-link'), join(base, 'root-link', 'build', 'obj'))).toBe(true);
    expect(realFolderInside(join(base, 'root-link'), join(base, 'root-link', 'build', 'out'))).toBe(false);
  });
});

describe('escapingLink', () => {
  it('is null for real folders, folders not made yet, and links that stay inside', () => {
    expect(escapingLink(root, 'build/obj')).toBeNull();
    expect(escapingLink(root, 'build/obj/not/yet')).toBeNull();
    mkdirSync(join(root, 'real-out'));
    symlinkSync('../real-out', join(root, 'build', 'inside'));
    expect(escapingLink(root, 'build/inside/x')).toBeNull();
  });

  it('names the first link on the way that leads out, the output dir itself included', () => {
    rmSync(join(root, 'build'), { recursive: true });
    symlinkSync('../outside', join(root, 'build'));
    expect(escapingLink(root, 'build')).toEqual({ link: 'build', target: outside });
    expect(escapingLinkTo(root, 'build/obj/src/a.c.o')).toEqual({ link: 'build', target: outside });
  });

  it('finds a link deeper down, absolute or relative, and a dangling one that would lead out', () => {
    symlinkSync(outside, join(root, 'build', 'abs'));
    symlinkSync('../../../outside', join(root, 'build', 'obj', 'rel'));
    symlinkSync(join(base, 'nowhere'), join(root, 'build', 'dangling'));
    expect(escapingLinkTo(root, 'build/abs/a.o')).toEqual({ link: 'build/abs', target: outside });
    expect(escapingLinkTo(root, 'build/obj/rel/a.o')).toEqual({ link: 'build/obj/rel', target: outside });
    expect(escapingLinkTo(root, 'build/dangling/a.o')).toEqual({ link: 'build/dangling', target: join(base, 'nowhere') });
  });

  it('the last component is not followed: a link as the output itself is replaced or removed, not written through', () => {
    symlinkSync(join(outside, 'victim.o'), join(root, 'build', 'obj', 'a.o'));
    expect(escapingLinkTo(root, 'build/obj/a.o')).toBeNull();
  });

  it('says what to do, naming the link', () => {
    expect(describeEscape({ link: 'build/obj', target: '/tmp/x' })).toEqual({
      message: 'build/obj is a symbolic link to /tmp/x, outside the project: jmake writes and deletes files only inside the project, so it refuses to use it',
      hint: 'remove the link (rm build/obj) and jmake creates a real folder there, or point it at a folder inside the project',
    });
    expect(describeEscape({ link: 'my build', target: '/tmp/x' }).hint).toContain("rm 'my build'");
  });
});

describe('removeInside', () => {
  it('removes a file inside, and is fine with one that is gone', () => {
    writeFileSync(join(root, 'build', 'obj', 'a.o'), 'x');
    expect(removeInside(root, 'build/obj/a.o')).toEqual({ removed: true });
    expect(existsSync(join(root, 'build', 'obj', 'a.o'))).toBe(false);
    expect(removeInside(root, 'build/obj/a.o')).toEqual({ removed: true });
  });

  it('never deletes through a link out of the project, nor a path with .. or an absolute one', () => {
    symlinkSync(outside, join(root, 'build', 'out'));
    expect(removeInside(root, 'build/out/victim.o')).toEqual({
      removed: false, refused: expect.stringMatching(/^build\/out is a symbolic link to /), hint: expect.stringContaining('rm build/out'),
    });
    expect(removeInside(root, '../outside/victim.o')).toEqual({ removed: false, refused: '../outside/victim.o is not a plain path inside the project' });
    expect(removeInside(root, join(outside, 'victim.o'))).toMatchObject({ removed: false });
    expect(existsSync(join(outside, 'victim.o'))).toBe(true);
  });

  it('removes a link that is itself the output, not what it points to', () => {
    symlinkSync(join(outside, 'victim.o'), join(root, 'build', 'obj', 'a.o'));
    expect(removeInside(root, 'build/obj/a.o')).toEqual({ removed: true });
    expect(existsSync(join(outside, 'victim.o'))).toBe(true);
  });

  it('leaves a folder alone and says why', () => {
    expect(removeInside(root, 'build/obj')).toMatchObject({ removed: false, refused: expect.stringMatching(/^cannot remove build\/obj: /) });
    expect(existsSync(join(root, 'build', 'obj'))).toBe(true);
  });
});

describe('removeTempFolder', () => {
  it('removes the folder with what a killed build left in it; leaves a link (and what it points to), a file, and paths that leave the root', () => {
    mkdirSync(join(root, 'build', 'obj', '.jmake-tmp'));
    expect(removeTempFolder(root, 'build/obj/.jmake-tmp')).toBe(true);
    expect(existsSync(join(root, 'build', 'obj', '.jmake-tmp'))).toBe(false);
    expect(existsSync(join(root, 'build', 'obj'))).toBe(true);
    mkdirSync(join(root, 'build', 'obj', '.jmake-tmp', 'src'), { recursive: true });
    writeFileSync(join(root, 'build', 'obj', '.jmake-tmp', 'src', 'a.o'), 'left by a killed build');
    expect(removeTempFolder(root, 'build/obj/.jmake-tmp')).toBe(true);
    expect(existsSync(join(root, 'build', 'obj', '.jmake-tmp'))).toBe(false);
    expect(removeTempFolder(root, 'build/obj/.jmake-tmp')).toBe(false);
    const kept = join(base, 'kept');
    mkdirSync(kept);
    writeFileSync(join(kept, 'precious'), 'not jmake\'s');
    symlinkSync(kept, join(root, 'build', '.jmake-tmp'));
    expect(removeTempFolder(root, 'build/.jmake-tmp')).toBe(false);
    expect(existsSync(join(kept, 'precious'))).toBe(true);
    symlinkSync(base, join(root, 'build', 'up'));
    expect(removeTempFolder(root, 'build/up/kept')).toBe(false);
    expect(removeTempFolder(root, '../kept')).toBe(false);
    expect(existsSync(join(kept, 'precious'))).toBe(true);
    writeFileSync(join(root, 'build', 'a-file'), 'x');
    expect(removeTempFolder(root, 'build/a-file')).toBe(false);
    expect(existsSync(join(root, 'build', 'a-file'))).toBe(true);
  });
});

describe('ownedFiles', () => {
  it('a build job owns its output, depfile and temp file; a user job only its recorded output, never its name', () => {
    expect(ownedFiles('build/obj/a.c.o', 'compile', 'build/obj/a.c.o')).toEqual(['build/obj/a.c.o', 'build/obj/a.c.o.d', 'build/obj/.jmake-tmp/a.c.o', 'build/obj/.jmake-tmp/a.c.o.jmake-old']);
    expect(ownedFiles('gen.py', 'job', null)).toEqual([]);
    expect(ownedFiles('gen', 'job', 'build/gen/version.h')).toEqual(['build/gen/version.h']);
  });
});
