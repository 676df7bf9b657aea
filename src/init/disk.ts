/**
 * The few disk operations `jmake init` needs, behind an interface so its planning and applying can
 * be tested on an in-memory disk. The real one writes atomically: a temp file in the same folder,
 * flushed, then moved into place, so an interrupted init never leaves a half-written file.
 */
import { closeSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isErrno } from '../errors.js';

export type EntryKind = 'file' | 'dir' | 'other';

export interface InitDisk {
  /** What is at `path` (following symlinks), or null when nothing is. */
  kind(path: string): EntryKind | null;
  readText(path: string): string;
  /** Creates the folder and its missing parents; nothing when it exists. */
  makeDir(path: string): void;
  /** Writes a new file; returns false, writing nothing, when something already is at `path`. */
  createFile(path: string, text: string): boolean;
  /** Writes `path`, replacing what is there. */
  replaceFile(path: string, text: string): void;
}

export const nodeDisk: InitDisk = {
  kind(path) {
    try {
      const stat = statSync(path);
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'dir' : 'other';
    } catch (err) {
      if (!isErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
      // A dangling symlink still takes the name.
      return isSymlink(path) ? 'other' : null;
    }
  },
  readText(path) {
    return readFileSync(path, 'utf8');
  },
  makeDir(path) {
    mkdirSync(path, { recursive: true });
  },
  createFile(path, text) {
    const tmp = writeTemp(path, text);
    try {
      // link(2) fails when the name exists: a file that appeared since the plan is never replaced.
      linkSync(tmp, path);
      return true;
    } catch (err) {
      if (isErrno(err, 'EEXIST')) return false;
      if (!isErrno(err, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS')) throw err;
      // A file system without hard links: check, then rename (not race-free, still atomic).
      if (nodeDisk.kind(path) !== null) return false;
      renameSync(tmp, path);
      return true;
    } finally {
      rmSync(tmp, { force: true });
    }
  },
  replaceFile(path, text) {
    // Through a symlink (a shared .gitignore, say): the link stays, its target gets the text.
    const target = isSymlink(path) ? realpathSync(path) : path;
    const tmp = writeTemp(target, text);
    try {
      renameSync(tmp, target);
    } finally {
      rmSync(tmp, { force: true });
    }
  },
};

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function writeTemp(path: string, text: string): string {
  const tmp = join(dirname(path), `.${basename(path)}.jmake-init-${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  let written = false;
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
    written = true;
  } finally {
    closeSync(fd);
    if (!written) rmSync(tmp, { force: true });
  }
  return tmp;
}
