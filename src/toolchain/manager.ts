/**
 * The daemon's toolchain: discovered once for a given environment (PATH, [llvm], CC, CXX). Its
 * binaries are then watched, one inotify watch each (util/file-watch.ts), and trusted while no
 * watch reports; where one cannot be watched, or after a report, they are stat'ed at the next
 * build, and when a chosen binary changed, discovered again. The identity goes into the event log
 * (`toolchain-detected`) whenever it differs from the one recorded.
 */
import { discoverToolchain, toolchainStillValid, type DiscoverOptions, type Toolchain } from './discover.js';
import { toolchainRecords, toolIdentity } from './identity.js';
import { FileVersionStore } from './version-store.js';
import type { ToolRecord } from '../../events/types.js';
import type { FileWatch, WatchFile } from '../util/file-watch.js';

export interface ResolvedToolchain {
  readonly toolchain: Toolchain;
  readonly records: Readonly<Record<string, ToolRecord>>;
  /** Identity per role, as it goes into job keys. */
  readonly ids: Readonly<Record<string, string>>;
  readonly hash: string;
}

export class ToolchainManager {
  private cached: { key: string; resolved: ResolvedToolchain } | null = null;
  /** Watches on the cached toolchain's binaries, trusted while set; null: one reported, or not all could be watched. */
  private watches: FileWatch[] | null = null;
  /** A binary of the cached toolchain could not be watched: stat them at each build, without trying again. */
  private refused = false;

  /**
   * `versionsFile`: where tool versions are kept between daemons (the user's cache folder); null: probe every time.
   * `watchFile`: how to watch a binary (null: stat them at each build).
   */
  constructor(private readonly hash: (text: string) => string, private readonly versionsFile: string | null = null, private readonly watchFile: WatchFile | null = null) {}

  async get(options: DiscoverOptions): Promise<ResolvedToolchain> {
    const key = JSON.stringify(options);
    if (this.cached && this.cached.key === key) {
      if (this.watches) return this.cached.resolved;
      // Watched again before the look, so a change made after it is still heard.
      if (!this.refused) this.watchTools(this.cached.resolved.toolchain);
      if (toolchainStillValid(this.cached.resolved.toolchain)) return this.cached.resolved;
    }
    const versions = this.versionsFile ? new FileVersionStore(this.versionsFile) : undefined;
    const toolchain = await discoverToolchain(options, versions);
    versions?.save();
    const records = toolchainRecords(toolchain);
    const ids: Record<string, string> = {};
    for (const [role, record] of Object.entries(records)) ids[role] = toolIdentity(record);
    const hash = this.hash(JSON.stringify(Object.entries(ids).sort()));
    const resolved = { toolchain, records, ids, hash };
    this.cached = { key, resolved };
    this.refused = false;
    this.watchTools(toolchain);
    // A binary changed between discovery's stat and its watch: look again at the next build.
    if (!toolchainStillValid(toolchain)) this.unwatch();
    return resolved;
  }

  close(): void {
    this.unwatch();
  }

  private watchTools(toolchain: Toolchain): void {
    this.unwatch();
    if (!this.watchFile) return;
    const watches: FileWatch[] = [];
    for (const tool of Object.values(toolchain.tools)) {
      if (!tool || tool.size === 0) continue; // not a file jmake stat'ed (a command word): nothing to watch
      const watch = this.watchFile(tool.realPath, () => this.unwatch());
      if (!watch) {
        for (const w of watches) w.close();
        this.refused = true;
        return;
      }
      watches.push(watch);
    }
    this.watches = watches;
  }

  private unwatch(): void {
    for (const w of this.watches ?? []) w.close();
    this.watches = null;
  }
}
