/**
 * Finding the compilers and LLVM tools: every candidate name on PATH (and under `[llvm] root`)
 * with its version, then one consistent set chosen from them. LLVM tools must come from the same
 * release as clang (an older llvm-link cannot read newer bitcode), so versioned names (clang-14,
 * llvm-link-14, ...) are matched by major version. gcc/g++/ar are the fallback when clang is absent.
 *
 * A tool's identity is its real path, version, size and mtime: when any of them changes (a
 * compiler upgrade), the jobs that used it have a different key and rebuild.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { versionKey, type VersionStore } from './version-store.js';

export type ToolRole = 'cc' | 'cxx' | 'ar' | 'llvm-link' | 'opt' | 'llc' | 'llvm-ar' | 'lld' | 'llvm-config';

export interface ToolInfo {
  readonly name: string;
  readonly path: string;
  readonly realPath: string;
  readonly version: string;
  readonly major: number | null;
  readonly size: number;
  readonly mtime: number;
}

export interface Toolchain {
  readonly family: 'clang' | 'gcc';
  /** The LLVM major version of the chosen set (null for gcc). */
  readonly llvmMajor: number | null;
  /** The chosen tool per role; a role may be missing (e.g. no lld). */
  readonly tools: Partial<Record<ToolRole, ChosenTool>>;
  /** Every candidate found, for `jmake tools`. */
  readonly found: readonly ToolInfo[];
}

export interface ChosenTool extends ToolInfo {
  /** Leading words of a command such as CC="ccache gcc": run `argv[0]` with `argv.slice(1)` first. */
  readonly argv: readonly string[];
}

const NAME_PATTERNS: readonly [RegExp, string][] = [
  [/^clang(-\d+)?$/, 'clang'], [/^clang\+\+(-\d+)?$/, 'clang++'],
  [/^gcc(-\d+)?$/, 'gcc'], [/^g\+\+(-\d+)?$/, 'g++'], [/^cc$/, 'cc'], [/^c\+\+$/, 'c++'], [/^ar$/, 'ar'],
  [/^llvm-link(-\d+)?$/, 'llvm-link'], [/^opt(-\d+)?$/, 'opt'], [/^llc(-\d+)?$/, 'llc'],
  [/^llvm-ar(-\d+)?$/, 'llvm-ar'], [/^ld\.lld(-\d+)?$/, 'ld.lld'], [/^llvm-config(-\d+)?$/, 'llvm-config'],
];

export interface DiscoverOptions {
  readonly pathEnv: string;
  readonly llvmRoot: string | null;
  readonly prefer: 'clang' | 'gcc';
  /** `[llvm] tools` overrides: role or tool name -> path. */
  readonly overrides: Readonly<Record<string, string>>;
  readonly cc?: string | undefined;
  readonly cxx?: string | undefined;
}

export async function discoverToolchain(options: DiscoverOptions, versions?: VersionStore): Promise<Toolchain> {
  const dirs = [...(options.llvmRoot ? [join(options.llvmRoot, 'bin')] : []), ...options.pathEnv.split(delimiter).filter(Boolean)];
  const candidates = new Map<string, string>(); // name -> first path on PATH
  for (const dir of dirs) {
    let names: string[];
    try { names = readdirSync(dir); } catch { continue; }
    for (const name of names) {
      if (candidates.has(name) || !NAME_PATTERNS.some(([re]) => re.test(name))) continue;
      candidates.set(name, join(dir, name));
    }
  }
  for (const [name, path] of Object.entries(options.overrides)) candidates.set(name, path);
  const found = (await Promise.all([...candidates].map(([name, path]) => probeTool(name, path, versions)))).filter((t): t is ToolInfo => t !== null);
  // CC / CXX commands are probed as a whole ("ccache gcc --version"), identified by their first word's file.
  for (const command of [options.cc, options.cxx]) {
    if (!command || found.some((t) => t.name === command.trim())) continue;
    const probed = await probeCommand(command.trim(), dirs);
    if (probed) found.push(probed);
  }
  return chooseToolchain(found, options);
}

async function probeCommand(command: string, dirs: readonly string[]): Promise<ToolInfo | null> {
  const words = command.split(/\s+/);
  const first = words[0]!.includes('/') ? words[0]! : dirs.map((d) => join(d, words[0]!)).find((p) => { try { return statSync(p).isFile(); } catch { return false; } });
  if (!first) return null;
  const info = await probeTool(command, first);
  if (!info || words.length === 1) return info;
  // The version is the compiler's, not the wrapper's.
  try {
    const result = await execa(first, [...words.slice(1), '--version'], { reject: false, timeout: 10_000, stdin: 'ignore' });
    const version = parseVersion(`${result.stdout}\n${result.stderr}`);
    return version ? { ...info, version, major: Number(version.split('.')[0]) } : info;
  } catch {
    return info;
  }
}

export async function probeTool(name: string, path: string, versions?: VersionStore): Promise<ToolInfo | null> {
  let realPath: string;
  let st;
  try {
    realPath = realpathSync(path);
    st = statSync(realPath);
    if (!st.isFile()) return null;
  } catch {
    return null;
  }
  const key = versionKey(realPath, st.size, st.mtimeMs);
  let probed = versions?.get(key);
  if (!probed) {
    try {
      const result = await execa(path, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' });
      const version = parseVersion(`${result.stdout}\n${result.stderr}`);
      probed = { version, usable: result.exitCode === 0 || version !== null };
      versions?.set(key, probed);
    } catch {
      return null; // could not start it (not executable): not remembered, it may be fixed
    }
  }
  if (!probed.usable) return null;
  const { version } = probed;
  return { name, path, realPath, version: version ?? 'unknown', major: version ? Number(version.split('.')[0]) : null, size: st.size, mtime: st.mtimeMs };
}

/** "Debian clang version 14.0.6", "g++ (Debian 12.2.0-14) 12.2.0", "LLVM version 14.0.6", "GNU ar (GNU Binutils) 2.40". */
export function parseVersion(text: string): string | null {
  const llvm = /(?:clang|LLVM) version (\d+\.\d+(?:\.\d+)?)/.exec(text);
  if (llvm) return llvm[1]!;
  const first = text.split('\n')[0] ?? '';
  const last = /(\d+\.\d+(?:\.\d+)?)(?!.*\d+\.\d+)/.exec(first);
  return last ? last[1]! : null;
}

/** Pure: pick one consistent set from what was found. */
export function chooseToolchain(found: readonly ToolInfo[], options: Pick<DiscoverOptions, 'prefer' | 'overrides' | 'cc' | 'cxx'>): Toolchain {
  const byName = new Map(found.map((t) => [t.name, t]));
  const pick = (...names: string[]) => names.map((n) => byName.get(n)).find((t) => t !== undefined);
  const tools: Partial<Record<ToolRole, ChosenTool>> = {};
  const chosen = (t: ToolInfo | undefined): ChosenTool | undefined => (t ? { ...t, argv: [t.path] } : undefined);

  const clangxx = pick('clang++') ?? highest(found, 'clang++');
  const useClang = clangxx !== undefined && options.prefer === 'clang';
  let llvmMajor: number | null = null;
  if (useClang) {
    llvmMajor = clangxx.major;
    const sameRelease = (base: string) => {
      const versioned = llvmMajor !== null ? byName.get(`${base}-${llvmMajor}`) : undefined;
      const plain = byName.get(base);
      return versioned ?? (plain && plain.major === llvmMajor ? plain : undefined);
    };
    tools.cxx = chosen(clangxx);
    // The C compiler named like the C++ one: clang-14 with clang++-14, clang with clang++.
    const versionedCxx = /-\d+$/.test(clangxx.name);
    const plainClang = byName.get('clang');
    tools.cc = chosen((versionedCxx ? byName.get(clangxx.name.replace('clang++', 'clang')) : plainClang?.major === llvmMajor ? plainClang : undefined)
      ?? sameRelease('clang') ?? pick('clang'));
    tools['llvm-link'] = chosen(sameRelease('llvm-link'));
    tools.opt = chosen(sameRelease('opt'));
    tools.llc = chosen(sameRelease('llc'));
    tools['llvm-ar'] = chosen(sameRelease('llvm-ar'));
    tools.lld = chosen(sameRelease('ld.lld'));
    tools['llvm-config'] = chosen(sameRelease('llvm-config'));
  } else {
    tools.cxx = chosen(pick('g++', 'c++') ?? highest(found, 'g++') ?? clangxx);
    tools.cc = chosen(pick('gcc', 'cc') ?? highest(found, 'gcc') ?? pick('clang'));
  }
  tools.ar = chosen(pick('ar')) ?? tools['llvm-ar'];
  // CC / CXX from the environment win ("ccache gcc" is a command with its own first word).
  for (const [role, command] of [['cc', options.cc], ['cxx', options.cxx]] as const) {
    if (!command) continue;
    const words = command.trim().split(/\s+/);
    const whole = found.find((t) => t.name === words.join(' '));
    const base = found.find((t) => t.path === words[0] || t.name === words[0]);
    const last = found.find((t) => t.name === words[words.length - 1] || t.path === words[words.length - 1]);
    const info = whole ?? last ?? base;
    tools[role] = { name: words.join(' '), path: words[0]!, realPath: info?.realPath ?? words[0]!, version: info?.version ?? 'unknown', major: info?.major ?? null, size: info?.size ?? 0, mtime: info?.mtime ?? 0, argv: words };
  }
  const family: 'clang' | 'gcc' = /clang/.test(tools.cxx?.name ?? '') || /clang/.test(tools.cxx?.realPath ?? '') ? 'clang' : 'gcc';
  return { family, llvmMajor: family === 'clang' ? llvmMajor ?? tools.cxx?.major ?? null : null, tools, found };
}

function highest(found: readonly ToolInfo[], base: string): ToolInfo | undefined {
  const re = new RegExp(`^${base.replace(/\+/g, '\\+')}-(\\d+)$`);
  return found.filter((t) => re.test(t.name)).sort((a, b) => Number(re.exec(b.name)![1]) - Number(re.exec(a.name)![1]))[0];
}

/** Stat the chosen tools again: false when any binary changed since discovery (an upgrade). */
export function toolchainStillValid(toolchain: Toolchain): boolean {
  for (const tool of Object.values(toolchain.tools)) {
    if (!tool || tool.size === 0) continue;
    try {
      const st = statSync(tool.realPath);
      if (st.size !== tool.size || st.mtimeMs !== tool.mtime) return false;
    } catch {
      return false;
    }
  }
  return true;
}
