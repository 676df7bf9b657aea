/**
 * What `TOOL --version` said, kept between daemons in the user's cache folder. Probing the
 * twenty-odd compilers and LLVM tools on PATH costs seconds (each is a process start of a large
 * binary); a tool whose real path, size and mtime are unchanged says the same again. A file that
 * cannot be read or written only means probing again.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ProbedVersion {
  /** The parsed version, or null when the output held none. */
  readonly version: string | null;
  /** Whether the tool answered usably (exit 0, or a version anyway). */
  readonly usable: boolean;
}

export interface VersionStore {
  get(key: string): ProbedVersion | undefined;
  set(key: string, value: ProbedVersion): void;
}

export function versionKey(realPath: string, size: number, mtime: number): string {
  return `${realPath}|${size}|${mtime}`;
}

export class FileVersionStore implements VersionStore {
  private readonly entries = new Map<string, ProbedVersion>();
  private dirty = false;

  constructor(private readonly file: string) {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ProbedVersion>;
      for (const [key, value] of Object.entries(parsed)) {
        if (typeof value?.usable === 'boolean' && (value.version === null || typeof value.version === 'string')) this.entries.set(key, value);
      }
    } catch { /* none yet, or unreadable: probe */ }
  }

  get(key: string): ProbedVersion | undefined { return this.entries.get(key); }

  set(key: string, value: ProbedVersion): void {
    this.entries.set(key, value);
    this.dirty = true;
  }

  /** Write what was learnt (atomically: several daemons may save at once; the last one wins). */
  save(): void {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)));
      renameSync(tmp, this.file);
    } catch { /* a read-only home: probe next time */ }
  }
}
