/**
 * The daemon's toolchain: discovered once for a given environment (PATH, [llvm], CC, CXX), then
 * only stat'ed at each build; when a chosen binary changed, discovered again. The identity goes
 * into the event log (`toolchain-detected`) whenever it differs from the one recorded.
 */
import { discoverToolchain, toolchainStillValid, type DiscoverOptions, type Toolchain } from './discover.js';
import { toolchainRecords, toolIdentity } from './identity.js';
import { FileVersionStore } from './version-store.js';
import type { ToolRecord } from '../../events/types.js';

export interface ResolvedToolchain {
  readonly toolchain: Toolchain;
  readonly records: Readonly<Record<string, ToolRecord>>;
  /** Identity per role, as it goes into job keys. */
  readonly ids: Readonly<Record<string, string>>;
  readonly hash: string;
}

export class ToolchainManager {
  private cached: { key: string; resolved: ResolvedToolchain } | null = null;

  /** `versionsFile`: where tool versions are kept between daemons (the user's cache folder); null: probe every time. */
  constructor(private readonly hash: (text: string) => string, private readonly versionsFile: string | null = null) {}

  async get(options: DiscoverOptions): Promise<ResolvedToolchain> {
    const key = JSON.stringify(options);
    if (this.cached && this.cached.key === key && toolchainStillValid(this.cached.resolved.toolchain)) return this.cached.resolved;
    const versions = this.versionsFile ? new FileVersionStore(this.versionsFile) : undefined;
    const toolchain = await discoverToolchain(options, versions);
    versions?.save();
    const records = toolchainRecords(toolchain);
    const ids: Record<string, string> = {};
    for (const [role, record] of Object.entries(records)) ids[role] = toolIdentity(record);
    const hash = this.hash(JSON.stringify(Object.entries(ids).sort()));
    const resolved = { toolchain, records, ids, hash };
    this.cached = { key, resolved };
    return resolved;
  }
}
