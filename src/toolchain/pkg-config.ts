/**
 * pkg-config: `--cflags` and `--libs` per package, cached until the package's .pc file changes
 * (its path from `--variable=pcfiledir`, then a stat per build).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { JmakeError } from '../errors.js';
import { splitFlags } from '../graph/plan.js';

export interface PkgFlags {
  readonly cflags: readonly string[];
  readonly libs: readonly string[];
}

interface Entry {
  readonly flags: PkgFlags;
  readonly pcFile: string;
  readonly size: number;
  readonly mtime: number;
}

export class PkgConfig {
  private readonly cache = new Map<string, Entry>();

  async resolve(names: readonly string[]): Promise<Record<string, PkgFlags>> {
    const out: Record<string, PkgFlags> = {};
    for (const name of new Set(names)) {
      const cached = this.cache.get(name);
      if (cached && fresh(cached)) { out[name] = cached.flags; continue; }
      out[name] = (await this.query(name)).flags;
    }
    return out;
  }

  private async query(name: string): Promise<Entry> {
    const run = async (args: string[]) => {
      const r = await execa('pkg-config', [...args, name], { reject: false, stdin: 'ignore' }).catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
      if (r.exitCode !== 0) {
        throw new JmakeError('pkg-config', `pkg-config ${name}: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`, 2,
          'install the package\'s development files, or set PKG_CONFIG_PATH');
      }
      return String(r.stdout).trim();
    };
    const [cflags, libs, dir] = await Promise.all([run(['--cflags']), run(['--libs']), run(['--variable=pcfiledir'])]);
    const pcFile = join(dir, `${name}.pc`);
    let size = 0;
    let mtime = 0;
    try { const st = statSync(pcFile); size = st.size; mtime = st.mtimeMs; } catch { /* a .pc we cannot see: re-query each build */ }
    const entry = { flags: { cflags: splitFlags(cflags), libs: splitFlags(libs) }, pcFile, size, mtime };
    this.cache.set(name, entry);
    return entry;
  }
}

function fresh(entry: Entry): boolean {
  if (entry.size === 0 && entry.mtime === 0) return false;
  try {
    const st = statSync(entry.pcFile);
    return st.size === entry.size && st.mtimeMs === entry.mtime;
  } catch {
    return false;
  }
}
