/**
 * `jmake complete` in the daemon: finds the jmake.toml fields that are missing or empty, runs the
 * jobs that find their values through the build's scheduler (independent jobs in parallel, a job
 * after those it depends on), reports each job as it starts and finishes, and writes the additions
 * into the user's file without touching anything else (config/toml-edit.ts), atomically, only if
 * the file did not change meanwhile. Nothing else in jmake writes jmake.toml.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, delimiter, isAbsolute, join, relative } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import {
  COMPLETION_JOB_DEPS, HEADER_FILE, SOURCE_FILE, additionsFor, includeDirsFor, missingFields, quotedIncludes, schemaDefault,
  type CompletionJob, type JobResults,
} from '../config/completion.js';
import { addKeys } from '../config/toml-edit.js';
import { JmakeError } from '../errors.js';
import type { CompleteParams, CompleteProgress, CompleteResult } from '../protocol/messages.js';
import { schedule } from '../scheduler/scheduler.js';
import { liveFiles } from '../state/selectors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { unifiedDiff } from '../util/line-diff.js';
import type { ProjectWatcher } from '../watcher/watcher.js';
import type { Builder } from './builder.js';
import type { Logger } from './logger.js';
import type { Recorder } from './recorder.js';

export interface CompleterDeps {
  readonly root: string;
  readonly recorder: Recorder;
  readonly builder: Builder;
  readonly watcher: () => ProjectWatcher;
  readonly logger: Logger;
}

type Values = Record<string, unknown>;

export class Completer {
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: CompleterDeps) {}

  /** One completion at a time: two would edit the same text. */
  complete(params: CompleteParams, progress: (p: CompleteProgress) => void, signal: AbortSignal): Promise<CompleteResult> {
    const next = this.running.then(() => this.run(params, progress, signal));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async run(params: CompleteParams, progress: (p: CompleteProgress) => void, signal: AbortSignal): Promise<CompleteResult> {
    const file = join(this.deps.root, 'jmake.toml');
    const text = readFileSync(file, 'utf8');
    const values = parseOrExplain(text, file);
    const needs = missingFields(values, params.freeze === true);
    const watcher = this.deps.watcher();
    await watcher.waitReady();
    await watcher.sync();

    const results: { -readonly [J in CompletionJob]?: JobResults[J] } = {};
    const jobs: { job: string; ok: boolean; durationMs: number; summary: string }[] = [];
    const notes: string[] = [];
    const nodes = needs.jobs.map((id) => ({ id, deps: COMPLETION_JOB_DEPS[id].filter((d) => needs.jobs.includes(d)), priority: 0 }));
    await schedule(nodes, {
      parallelism: availableParallelism(),
      keepGoing: true,
      signal,
      decide: () => true,
      execute: async (node) => {
        progress({ type: 'job-started', job: node.id });
        const started = performance.now();
        let ok = true;
        let summary: string;
        try {
          summary = await this.runJob(node.id, values, params, results, notes);
        } catch (err) {
          ok = false;
          summary = err instanceof Error ? err.message : String(err);
        }
        const durationMs = Math.round(performance.now() - started);
        jobs.push({ job: node.id, ok, durationMs, summary });
        progress({ type: 'job-finished', job: node.id, ok, summary, durationMs });
        this.deps.logger.log('job', `complete: ${node.id} ${ok ? 'ok' : 'failed'} in ${durationMs}ms: ${summary}`);
        return ok ? 'succeeded' : 'failed';
      },
    });
    const failed = jobs.filter((j) => !j.ok);
    if (failed.length > 0) {
      throw new JmakeError('complete-failed', failed.map((j) => `jmake complete: ${j.job} failed: ${j.summary}`).join('\n'), 1, 'nothing was written to jmake.toml');
    }
    if (signal.aborted) throw new JmakeError('cancelled', 'jmake complete was cancelled; nothing was written', 1);

    const project = table(values, 'project');
    const fields = additionsFor(needs, results, basename(this.deps.root), typeof project.name === 'string' && project.name !== '' ? project.name : null);
    const base = { dryRun: params.dryRun === true, notes, fields: fields.map((f) => ({ field: f.field, value: f.value, source: f.source })) };
    if (fields.length === 0) return { ...base, diff: '', written: false };
    const edit = addKeys(text, fields);
    if (!edit.ok) throw new JmakeError('complete-failed', `${file}: ${edit.reason}`, 1, 'nothing was written; add the keys by hand (`jmake complete --dry-run` shows them)');
    const diff = unifiedDiff(text, edit.text, 'jmake.toml');
    if (params.dryRun) return { ...base, diff, written: false };
    if (readFileSync(file, 'utf8') !== text) {
      throw new JmakeError('complete-conflict', `${file} changed while jmake complete ran; nothing was written`, 1, 'run jmake complete again');
    }
    writeFileAtomic(file, edit.text, { mode: statSync(file).mode & 0o777 });
    this.deps.recorder.record([{ type: 'config-completed', data: { fields: base.fields, jobs } }], { durable: true });
    return { ...base, diff, written: true };
  }

  private async runJob(job: CompletionJob, values: Values, params: CompleteParams, results: { -readonly [J in CompletionJob]?: JobResults[J] }, notes: string[]): Promise<string> {
    switch (job) {
      case 'scan_files': {
        const excluded = stringList(table(values, 'discovery').exclude_dirs).map((d) => `${d.replace(/^\.\/|\/+$/g, '')}/`);
        const paths = [...liveFiles(this.deps.recorder.state)].map(([path]) => path).filter((p) => !excluded.some((d) => p.startsWith(d))).sort();
        const sources = paths.filter((p) => SOURCE_FILE.test(p));
        const headers = paths.filter((p) => HEADER_FILE.test(p));
        results.scan_files = { sources, headers };
        return `${sources.length} sources, ${headers.length} headers`;
      }
      case 'include_dirs': {
        const scan = results.scan_files!;
        const includes = new Map<string, string[]>();
        await Promise.all(scan.sources.map(async (source) => {
          const text = await readFile(join(this.deps.root, source), 'utf8').catch(() => '');
          includes.set(source, quotedIncludes(text));
        }));
        const dirs = includeDirsFor(includes, scan.headers);
        results.include_dirs = { dirs };
        return dirs.length === 0 ? 'no include dirs needed' : dirs.join(', ');
      }
      case 'discover_tools': {
        const found = await this.deps.builder.tools(params.env ?? {}, params.path, { ignoreConfigErrors: true });
        const path = params.path ?? process.env.PATH ?? '';
        const tools: Record<string, string> = {};
        for (const chosen of Object.values(found.chosen)) {
          const tool = found.found.find((t) => t.path === chosen.path);
          if (!tool || tool.name.includes(' ')) continue; // CC="ccache gcc": the environment's business, not the file's
          tools[tool.name] = onPath(tool.name, path) === tool.path ? tool.name : tool.path;
        }
        results.discover_tools = { tools };
        return Object.entries(tools).map(([name, value]) => (name === value ? name : `${name} (${value})`)).join(', ') || 'no tools found';
      }
      case 'create_structure': {
        const configured = table(values, 'compile').output_dir;
        const outputDir = typeof configured === 'string' && configured !== '' ? configured : schemaDefault('compile.output_dir');
        const abs = join(this.deps.root, outputDir);
        if (isAbsolute(outputDir) || relative(this.deps.root, abs).startsWith('..')) throw new Error(`output_dir ${outputDir} is outside the project`);
        const exists = isDir(abs);
        if (!exists && !params.dryRun) mkdirSync(abs, { recursive: true });
        results.create_structure = { outputDir, created: !exists };
        const note = exists ? `${outputDir}/ exists` : params.dryRun ? `would create ${outputDir}/` : `created ${outputDir}/`;
        notes.push(note);
        return note;
      }
    }
  }
}

function parseOrExplain(text: string, file: string): Values {
  try {
    return parse(text) as Values;
  } catch (err) {
    if (err instanceof TomlError) {
      throw new JmakeError('config-invalid', `${file}:${err.line}:${err.column}: error: ${err.message.split('\n')[0]}`, 2, 'fix the file first (`jmake validate` lists every problem); nothing was written');
    }
    throw err;
  }
}

function table(values: Values, name: string): Values {
  const t = values[name];
  return t !== null && typeof t === 'object' && !Array.isArray(t) ? (t as Values) : {};
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isDir(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

/** Where PATH finds `name` first. */
function onPath(name: string, pathEnv: string): string | null {
  for (const dir of pathEnv.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try { if (statSync(candidate).isFile()) return candidate; } catch { /* next */ }
  }
  return null;
}

