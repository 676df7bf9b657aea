/**
 * A tool's identity for job keys: its real path, version, size and mtime (and, for CC="ccache gcc",
 * the whole command). Any change, such as a compiler upgrade, changes the key of exactly the jobs
 * that use that tool.
 */
import type { ToolRecord } from '../../events/types.js';
import type { ChosenTool, Toolchain } from './discover.js';

export function toolRecord(tool: ChosenTool): ToolRecord {
  return { name: tool.name, path: tool.argv.join(' '), realPath: tool.realPath, version: tool.version, size: tool.size, mtime: tool.mtime };
}

export function toolIdentity(record: ToolRecord): string {
  return `${record.path}|${record.realPath}|${record.version}|${record.size}|${record.mtime}`;
}

export function toolchainRecords(toolchain: Toolchain): Record<string, ToolRecord> {
  const out: Record<string, ToolRecord> = {};
  for (const [role, tool] of Object.entries(toolchain.tools)) if (tool) out[role] = toolRecord(tool);
  return out;
}
