/**
 * jmake writes and deletes only inside the project. The config checks keep output paths relative
 * and free of `..` (config/validate.ts, graph/plan.ts); this module covers what the text of a path
 * cannot show: a folder on the way that is a symbolic link whose real path leaves the root
 * (`build -> ../elsewhere`, `build/obj -> /tmp/x`). Writing through such a link would create files
 * outside the project, and deleting through it would remove them there, so jmake refuses both.
 *
 * A link that stays inside the root is fine, and so is a link as the last component of a path:
 * an output replaces it by rename and a delete removes the link itself, never what it points to.
 * Sources are inputs: a source that is a link to a file outside is read, never written.
 */
import { lstatSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';

/** A symbolic link on the way to an output whose real path is outside the project. */
export interface Escape {
  /** The link, relative to the root. */
  readonly link: string;
  /** Where it leads (its real path, or the path it names when that does not exist). */
  readonly target: string;
}

/** Whether `rel` is a plain path inside the root: relative, no `.` or `..` segment, not empty. */
export function isPlainRelative(rel: string): boolean {
  if (rel === '' || rel.startsWith('/')) return false;
  return rel.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * The first folder of `dir` (relative to `root`, itself included) that is a symbolic link leading
 * outside the root; null when there is none. The walk stops at the first folder that does not
 * exist: what jmake creates from there on is a real folder under one that is inside.
 * A dangling link counts as leading outside unless the path it names is inside.
 */
export function escapingLink(root: string, dir: string): Escape | null {
  const parts = dir.split('/').filter((p) => p !== '' && p !== '.');
  let realRoot: string | null = null;
  let at = '';
  for (const part of parts) {
    at = at === '' ? part : `${at}/${part}`;
    const abs = join(root, at);
    let isLink: boolean;
    try {
      const st = lstatSync(abs);
      if (!st.isSymbolicLink() && !st.isDirectory()) return null; // a file: the write or delete fails there
      isLink = st.isSymbolicLink();
    } catch {
      return null; // does not exist yet
    }
    if (!isLink) continue;
    realRoot ??= realOrSelf(root);
    let target: string;
    try {
      target = realpathSync(abs);
    } catch {
      // Dangling: where it would lead once its target is created.
      try { target = resolve(dirname(abs), readlinkSync(abs)); } catch { target = abs; }
      if (isInside(realRoot, target) || isInside(root, target)) continue;
      return { link: at, target };
    }
    if (!isInside(realRoot, target)) return { link: at, target };
  }
  return null;
}

/**
 * True when the folder `dir` (absolute) exists and its real path is inside the root's: then no link
 * on the way leads out (or one that does leads back in). False says nothing: ask `escapingLink`.
 * Two realpath calls, no JS walk: the runner asks this before every job (with `realRoot` known, one).
 */
export function realFolderInside(root: string, dir: string, realRoot?: string): boolean {
  try {
    return isInside(realRoot ?? realpathSync.native(root), realpathSync.native(dir));
  } catch {
    return false;
  }
}

/** `escapingLink` for the folder that holds the file `rel`. */
export function escapingLinkTo(root: string, rel: string): Escape | null {
  return escapingLink(root, posix.dirname(rel));
}

/** What to tell the user about an escape, and what to do about it. */
export function describeEscape(escape: Escape): { message: string; hint: string } {
  return {
    message: `${escape.link} is a symbolic link to ${escape.target}, outside the project: jmake writes and deletes files only inside the project, so it refuses to use it`,
    hint: `remove the link (rm ${shellWord(escape.link)}) and jmake creates a real folder there, or point it at a folder inside the project`,
  };
}

export interface RemoveOutcome {
  readonly removed: boolean;
  /** Why nothing was removed, when jmake would not (or could not) remove it. */
  readonly refused?: string;
  /** What to do about it, when there is something to say. */
  readonly hint?: string;
}

/**
 * Delete the file `rel` under `root` (nothing if it is missing), unless the path is not a plain
 * relative one or leads through a link out of the root: then nothing is touched and `refused` says
 * why. A directory is left alone (outputs are files).
 */
export function removeInside(root: string, rel: string): RemoveOutcome {
  if (!isPlainRelative(rel)) return { removed: false, refused: `${rel} is not a plain path inside the project` };
  const escape = escapingLinkTo(root, rel);
  if (escape) {
    const { message, hint } = describeEscape(escape);
    return { removed: false, refused: message, hint };
  }
  try {
    rmSync(join(root, rel), { force: true });
    return { removed: true };
  } catch (err) {
    return { removed: false, refused: `cannot remove ${rel}: ${(err as Error).message}` };
  }
}

/**
 * Remove jmake's temp folder `rel` with whatever is in it: when no build runs, what is left there
 * (a killed build's half-written output, a previous output whose removal is still on its way) is
 * never trusted. Never follows a link: a link in its place is left, and so is what it points to.
 */
export function removeTempFolder(root: string, rel: string): boolean {
  if (!isPlainRelative(rel) || escapingLinkTo(root, rel)) return false;
  const path = join(root, rel);
  try {
    if (!lstatSync(path).isDirectory()) return false;
    rmSync(path, { recursive: true, force: true });
    return true;
  } catch {
    return false; // not there: nothing to remove
  }
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/** The real path of `path`, or the path itself when it has none (gone). */
export function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_./+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
