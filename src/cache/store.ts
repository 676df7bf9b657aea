/**
 * The compile cache on disk: content-addressed, shared by every daemon of the user (checkouts,
 * branches, projects), safe for several of them at once.
 *
 * A compile's inputs are known only after it ran (its depfile names the headers), so a lookup has
 * two steps, as in ccache's direct mode:
 *   manifests/<pp>/<primary>.json   primary = hash(tool, command line, source content): the input
 *                                   lists seen for it, each with the result it produced
 *   results/<rr>/<result>.meta      result = hash(primary, every input path and content hash):
 *   results/<rr>/<result>.o         the output's hash and size, the depfile, the tool's log; the output
 * A lookup takes the first manifest entry whose inputs all have the same content now.
 *
 * Every file is written to a unique temp name and renamed, object before meta before manifest, so
 * a reader sees a whole entry or none. A restored output is hashed against its meta first: a
 * corrupt entry is removed and counts as a miss. A hit touches the meta (least recently used
 * eviction keeps what is used). Any error reading the cache is a miss, never a failed build.
 */
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Hasher } from '../util/hash.js';

export const CACHE_LAYOUT = 'v1';
/** Input lists kept per primary key (different header sets or header contents for one source). */
const MANIFEST_ENTRIES = 16;
/** Eviction goes down to this share of max_size, so it does not run again after every store. */
const EVICT_TO = 0.9;

export type Inputs = readonly (readonly [string, string])[];

export interface CacheHit {
  readonly result: string;
  /** The inputs the cached compile read, with their (current, equal) content hashes. */
  readonly inputs: Inputs;
  readonly log: string;
}

export interface Restore {
  /** Where the output goes (renamed into place after its hash was checked). */
  readonly output: string;
  /**
   * Where it is copied first: the name its own command writes, in the unwatched temp folder (the
   * copy makes no events for the output watcher, and a restore cut short leaves nothing beside
   * the output that `jmake clean` would not remove).
   */
  readonly tmp: string;
  /** Where the depfile goes, or null. */
  readonly depfile: string | null;
  /** The project root: stored depfiles say `{root}` instead (checkouts elsewhere share entries). */
  readonly root: string;
}

export interface CacheStats {
  readonly dir: string;
  readonly entries: number;
  readonly bytes: number;
  readonly maxBytes: number;
}

interface ManifestEntry {
  readonly inputs: Inputs;
  readonly result: string;
}

interface Meta {
  readonly hash: string;
  readonly size: number;
  readonly depfile: string | null;
  readonly log: string;
}

const ROOT_MARK = '{root}';

export class CompileCache {
  readonly dir: string;
  /** Bytes in results/, known after the first scan and kept up to date by this process. */
  private knownBytes: number | null = null;
  /** Since this object was made: restores, lookups that found nothing usable, results stored. */
  readonly counts = { hits: 0, misses: 0, stored: 0 };

  constructor(readonly baseDir: string, private readonly hasher: Hasher, readonly maxBytes: number, private readonly log: (message: string) => void = () => {}) {
    this.dir = join(baseDir, CACHE_LAYOUT);
  }

  /** The result whose inputs all hash as they do now, or null. */
  async lookup(primary: string, currentHash: (path: string) => string | null): Promise<CacheHit | null> {
    const manifest = await this.readManifest(primary);
    for (const entry of manifest) {
      if (!entry.inputs.every(([path, hash]) => currentHash(path) === hash)) continue;
      const meta = await this.readMeta(entry.result);
      if (meta) return { result: entry.result, inputs: entry.inputs, log: meta.log };
    }
    return null;
  }

  /**
   * Put a hit's output (and depfile) in place. False when the entry turned out to be gone or
   * corrupt (it is removed): the caller compiles instead.
   */
  async restore(hit: CacheHit, to: Restore): Promise<boolean> {
    const meta = await this.readMeta(hit.result);
    if (!meta) return false;
    const { tmp } = to;
    try {
      await mkdir(dirname(tmp), { recursive: true });
      await copyFile(this.objectPath(hit.result), tmp);
      const copied = await readFile(tmp);
      if (copied.length !== meta.size || this.hasher.hashBytes(copied) !== meta.hash) {
        this.log(`cache entry ${hit.result} is corrupt (its content does not match its hash): removed`);
        await this.remove(hit.result);
        return false;
      }
      if (to.depfile && meta.depfile !== null) {
        await mkdir(dirname(to.depfile), { recursive: true });
        await writeAtomic(to.depfile, meta.depfile.split(ROOT_MARK).join(to.root));
      }
      await rename(tmp, to.output);
    } catch {
      return false; // evicted meanwhile, or unreadable: a miss
    } finally {
      await rm(tmp, { force: true });
    }
    const now = new Date();
    await utimes(this.metaPath(hit.result), now, now).catch(() => undefined);
    this.counts.hits++;
    return true;
  }

  /**
   * Keep a successful compile's output under the key of what it read. `outputHash` and `outputSize`
   * are what the builder already knows of the output (it hashes every output it records), so the
   * object is copied by the kernel, never read here; a restore checks the copy against them.
   */
  async store(primary: string, inputs: Inputs, from: { output: string; outputHash: string; outputSize: number; depfile: string | null; log: string; root: string }): Promise<void> {
    const result = this.hasher.hashBytes(Buffer.from(JSON.stringify([primary, inputs])));
    try {
      let depfile: string | null = null;
      if (from.depfile) depfile = (await readFile(from.depfile, 'utf8').catch(() => null))?.split(from.root).join(ROOT_MARK) ?? null;
      const meta: Meta = { hash: from.outputHash, size: from.outputSize, depfile, log: from.log };
      await mkdir(join(this.dir, 'results', result.slice(0, 2)), { recursive: true });
      await copyAtomic(from.output, this.objectPath(result));
      await writeAtomic(this.metaPath(result), JSON.stringify(meta));
      const manifest = (await this.readManifest(primary)).filter((e) => e.result !== result);
      manifest.unshift({ inputs, result });
      await mkdir(join(this.dir, 'manifests', primary.slice(0, 2)), { recursive: true });
      await writeAtomic(this.manifestPath(primary), JSON.stringify(manifest.slice(0, MANIFEST_ENTRIES)));
      if (this.knownBytes !== null) this.knownBytes += from.outputSize;
      this.counts.stored++;
    } catch (err) {
      this.log(`cannot store in the cache at ${this.dir}: ${(err as Error).message}`);
      return;
    }
    if (this.knownBytes === null || this.knownBytes > this.maxBytes) await this.evict();
  }

  /** Remove the least recently used results until the cache is under its size (and learn its size). */
  async evict(): Promise<{ removed: number; bytes: number }> {
    const results = await this.scan();
    let total = results.reduce((sum, r) => sum + r.bytes, 0);
    let removed = 0;
    if (total > this.maxBytes) {
      results.sort((a, b) => a.used - b.used);
      for (const r of results) {
        if (total <= this.maxBytes * EVICT_TO) break;
        await this.remove(r.result);
        total -= r.bytes;
        removed++;
      }
      this.log(`cache over ${this.maxBytes} bytes: removed ${removed} least recently used entries`);
    }
    this.knownBytes = total;
    return { removed, bytes: total };
  }

  async stats(): Promise<CacheStats> {
    const results = await this.scan();
    return { dir: this.dir, entries: results.length, bytes: results.reduce((sum, r) => sum + r.bytes, 0), maxBytes: this.maxBytes };
  }

  /** Remove every entry. */
  async clean(): Promise<CacheStats> {
    const before = await this.stats();
    await rm(this.dir, { recursive: true, force: true });
    this.knownBytes = 0;
    return before;
  }

  private async scan(): Promise<{ result: string; bytes: number; used: number }[]> {
    const out: { result: string; bytes: number; used: number }[] = [];
    const base = join(this.dir, 'results');
    for (const shard of await readdir(base).catch(() => [] as string[])) {
      for (const name of await readdir(join(base, shard)).catch(() => [] as string[])) {
        if (!name.endsWith('.meta')) continue;
        const result = name.slice(0, -'.meta'.length);
        try {
          const [meta, object] = await Promise.all([stat(join(base, shard, name)), stat(this.objectPath(result))]);
          out.push({ result, bytes: meta.size + object.size, used: meta.mtimeMs });
        } catch { /* half removed by another daemon */ }
      }
    }
    return out;
  }

  private async remove(result: string): Promise<void> {
    // The meta first: without it the entry is a miss, whatever is left of it.
    await rm(this.metaPath(result), { force: true });
    await rm(this.objectPath(result), { force: true });
  }

  private async readManifest(primary: string): Promise<ManifestEntry[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.manifestPath(primary), 'utf8'));
      return Array.isArray(parsed) ? parsed.filter(isManifestEntry) : [];
    } catch {
      return [];
    }
  }

  private async readMeta(result: string): Promise<Meta | null> {
    try {
      const parsed = JSON.parse(await readFile(this.metaPath(result), 'utf8')) as Partial<Meta>;
      if (typeof parsed.hash !== 'string' || typeof parsed.size !== 'number' || typeof parsed.log !== 'string') return null;
      return { hash: parsed.hash, size: parsed.size, depfile: typeof parsed.depfile === 'string' ? parsed.depfile : null, log: parsed.log };
    } catch {
      return null;
    }
  }

  private manifestPath(primary: string): string { return join(this.dir, 'manifests', primary.slice(0, 2), `${primary}.json`); }
  private metaPath(result: string): string { return join(this.dir, 'results', result.slice(0, 2), `${result}.meta`); }
  private objectPath(result: string): string { return join(this.dir, 'results', result.slice(0, 2), `${result}.o`); }
}

function isManifestEntry(value: unknown): value is ManifestEntry {
  const e = value as ManifestEntry;
  return typeof e === 'object' && e !== null && typeof e.result === 'string' && Array.isArray(e.inputs)
    && e.inputs.every((i) => Array.isArray(i) && typeof i[0] === 'string' && typeof i[1] === 'string');
}

/**
 * Write a unique temp file beside `path` (`fill`), then rename it over `path`: concurrent writers of
 * one name each leave a whole file, and a failure leaves no temp behind.
 */
async function replaceAtomically(path: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fill(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

const writeAtomic = (path: string, data: string | Uint8Array) => replaceAtomically(path, (tmp) => writeFile(tmp, data));
const copyAtomic = (from: string, to: string) => replaceAtomically(to, (tmp) => copyFile(from, tmp));
