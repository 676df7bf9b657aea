import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TestProject } from './project.js';
import { xxh64 } from './hash.js';

export interface BuildJson {
  ok: boolean;
  build: number;
  jobsRun: number;
  durationMs: number;
  outputs: string[];
  jobs: { id: string; kind: string; output: string; status: string; durationMs: number; log: string; reason: string }[];
  diagnostics: { file: string; line: number; column: number; severity: string; message: string }[];
  earlierDiagnostics: BuildJson['diagnostics'];
  warnings: string[];
  cancelled: boolean;
  dryRun: boolean;
}

/** `jmake build ARGS --json`, checking the exit code matches the outcome. */
export async function build(p: TestProject, args: string[] = []): Promise<BuildJson & { code: number }> {
  const result = await p.run(['build', ...args, '--json']);
  let parsed: BuildJson;
  try {
    parsed = JSON.parse(result.stdout) as BuildJson;
  } catch {
    throw new Error(`jmake build ${args.join(' ')} --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...parsed, code: result.code };
}

/** The ids of the jobs that ran, by kind, sorted. */
export function ran(result: BuildJson, kind?: string): string[] {
  return result.jobs.filter((j) => j.status === 'succeeded' || j.status === 'failed').filter((j) => !kind || j.kind === kind).map((j) => j.id).sort();
}

export async function runProgram(path: string): Promise<string> {
  return String((await execa(path, [], { reject: true })).stdout);
}

export function fileHash(path: string): string {
  return xxh64(readFileSync(path));
}

/** Every file under build/ (depfiles aside; with skipTemp, the temp folders too) with its content hash, for byte-for-byte comparisons. */
export function outputsOf(p: TestProject, options: { skipTemp?: boolean } = {}): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(p.path(rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!(options.skipTemp && entry.name === '.jmake-tmp')) walk(path);
      } else if (!entry.name.endsWith('.d')) out.set(path, fileHash(p.path(path)));
    }
  };
  walk('build');
  return out;
}

/** The folders named `name` under `dir` (absolute paths), e.g. the temp folders left under build/. */
export function foldersNamed(dir: string, name: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (entry.name === name) found.push(join(at, entry.name));
      walk(join(at, entry.name));
    }
  };
  walk(dir);
  return found;
}
