/**
 * A build, from request to reply:
 *
 * 1. Wait for the watcher's initial scan, then sync with it (a poll turn): every edit saved before the
 *    request is in the state.
 * 2. Resolve jmake.toml (errors stop here, exit 2), the toolchain (recorded when it changed) and
 *    pkg-config, and plan the job graph (cached while config, file set and toolchain are unchanged).
 * 3. Schedule: each job is judged when its dependencies are done (`whyRun`: tool, command line,
 *    every input's content, the output on disk). Jobs run in their own process groups with at most
 *    `-j` at once; each start and finish is an event, the finish carrying the job key, the inputs
 *    it read (from its depfile), the hash of what it wrote and its diagnostics.
 * 4. Delete the outputs of jobs that no longer exist (a removed source or target), then record
 *    build-finished (fsynced right after the reply).
 *
 * Builds are queued: a request arriving during a build waits for it, then builds what is still out
 * of date. A source edited during a build changes the key its job recorded (the key is taken from
 * the content at the job's start), so the next build runs it again.
 *
 * Build on change (change-trigger.ts): after a requested build, an edit to an input starts the same
 * build at once; the next request reports the jobs it ran as its own (carried-jobs.ts).
 */
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, posix, resolve } from 'node:path';
import { diffInputs } from '../../events/inputs-patch.js';
import type { DiagnosticData, EventDataByType, JmakeEvent, NewEvent } from '../../events/types.js';
import { resolveBuildConfig, type BuildConfig, type ConfigIssue } from '../config/build-config.js';
import { pickEnv } from '../config/build-env.js';
import { configRefusal, configRefusalOnDisk } from '../config/refusal.js';
import { JmakeError, isErrno } from '../errors.js';
import { describeReason, jobKey, whyRun, whyRunOutputOnly, type Reason } from '../graph/decide.js';
import { asidePathOf, planBuild, tempPathOf, type Plan, type PlannedJob } from '../graph/plan.js';
import { USAGE_ERROR_CODES, type CacheResult, type DistributedStatus, type BuildParams, type BuildProgress, type BuildResult, type DiagnosticInfo, type JobReport, type ToolsResult, type WatchMessage } from '../protocol/messages.js';
import { schedule } from '../scheduler/scheduler.js';
import type { CommandRunner, RunResult } from '../scheduler/runner.js';
import { allJobs, getFile, getJob, liveFiles } from '../state/selectors.js';
import type { JobRecord, ProjectState } from '../state/state.js';
import { compdbEntries, compdbText } from '../toolchain/compdb.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { describeEscape, escapingLink, escapingLinkTo, isPlainRelative, removeInside, removeTempFolder } from '../util/inside-root.js';
import { ownedFiles } from '../graph/outputs.js';
import { foldersOf, undecodableNames, undecodableWarning } from '../util/names.js';
import { normalizeDepPath, parseDepfile } from '../toolchain/depfile.js';
import { parseDiagnostics, resolveLinkerFiles, stripAnsi } from '../toolchain/diagnostics.js';
import type { ToolchainManager, ResolvedToolchain } from '../toolchain/manager.js';
import type { PkgConfig } from '../toolchain/pkg-config.js';
import type { Hasher } from '../util/hash.js';
import type { ProjectWatcher } from '../watcher/watcher.js';
import { ExternalFiles, OutputChecker, outputFacts } from './build-facts.js';
import { watchFileWithInotify } from '../util/file-watch.js';
import { Freshness } from './freshness.js';
import { DownstreamIndex } from '../graph/downstream.js';
import { runUserJob } from './user-job-runner.js';
import type { Logger } from './logger.js';
import { CarriedJobs } from './carried-jobs.js';
import { IdleCollector, minorCollector } from './idle-gc.js';
import { ChangeTrigger, buildChanges } from './change-trigger.js';
import { BuildFeed, ChangeList, type FeedListener } from './build-feed.js';
import type { Recorder } from './recorder.js';
import { CompileCache, type CacheHit, type Inputs } from '../cache/store.js';
import { defaultCacheDir } from '../cache/dir.js';
import { primaryKey } from '../cache/keys.js';
import { distributedParallelism, type DistccHost, type DistccOutcome } from '../distributed/distcc.js';
import { DistributedCompiles } from './distributed-compiles.js';
import { linkedSignal, signalOf, type Abortable, type LinkedSignal } from '../util/linked-signal.js';

export interface BuilderDeps {
  readonly root: string;
  readonly recorder: Recorder;
  readonly watcher: () => ProjectWatcher;
  readonly hasher: Hasher;
  readonly runner: CommandRunner;
  readonly toolchains: ToolchainManager;
  readonly pkgConfig: PkgConfig;
  readonly logger: Logger;
  /** The text of jmake.toml as last read (to name lines in errors). */
  readonly configText: () => string;
  /** The daemon's environment: PATH for discovery, and the base of every job's environment. */
  readonly env: NodeJS.ProcessEnv;
  /** Apply a jmake.toml change the watcher recorded but the config monitor has not read yet. */
  readonly settleConfig: () => void;
  /** `[daemon] build_on_change`, read when a change arrives (the config may change meanwhile). */
  readonly buildOnChange: () => boolean;
}

/** The jobs a build wants: in the plan's order (for reports), in a topological order (for the survey), and the roots asked for. */
interface Selection {
  readonly wanted: Set<string>;
  /** Each wanted job's place in the plan's order: what is reported comes in that order. */
  readonly position: ReadonlyMap<string, number>;
  readonly topological: readonly string[];
  /** What depends on what among the wanted jobs, for a survey of what changed only. */
  readonly downstream: DownstreamIndex;
  readonly roots: Set<string>;
}

const MAX_LOG_IN_EVENT = 64 * 1024;
/** Bounds the remembered depfile paths (a tree's headers and system headers are far fewer). */
const DEP_PATHS_KEPT = 200_000;
const CONFIG_PATH = 'jmake.toml';
/**
 * No wait of its own before a change build: the watcher's settle window already waited for the
 * save to go quiet, and the build's sync hashes whatever else is still settling, so files saved
 * together (an editor's "save all") still make one build. A 10 ms debounce here was 10 ms on every edit.
 */
const CHANGE_DEBOUNCE_MS = 0;
const COMPDB_DEBOUNCE_MS = 100;

/** Events after which the plan (and so compile_commands.json) may differ: the config, the file set. */
function changesPlan(event: JmakeEvent): boolean {
  return event.type === 'config-changed' || event.type === 'config-loaded' || event.type === 'file-added' || event.type === 'file-removed';
}

type Trigger = 'request' | 'change';

export class Builder {
  private queue: Promise<unknown> = Promise.resolve();
  private running = 0;
  readonly externals: ExternalFiles;
  readonly outputs: OutputChecker;
  private planCache: { key: string; plan: Plan } | null = null;
  private configMemo: { values: Readonly<Record<string, unknown>>; text: string; envKey: string; result: { config: BuildConfig; issues: readonly ConfigIssue[] } } | null = null;
  /** Per plan: sources left out for their names (plan notes, util/names.ts), said with every build. */
  private readonly planNotes = new WeakMap<Plan, string[]>();
  private readonly freshness: Freshness;
  private outputsUntrusted = false;
  private readonly trigger: ChangeTrigger;
  /** A minor GC once no build runs (idle-gc.ts). */
  private readonly idleCollector: IdleCollector;
  private readonly carried = new CarriedJobs();
  /** The change build queued or running, if any: a request that waits for it may cancel it. */
  private changeBuild: { controller: AbortController; started: boolean } | null = null;
  /** The builds running now (one at a time, but a set keeps cancel simple). */
  private readonly active = new Set<LinkedSignal>();
  private compdbTimer: NodeJS.Timeout | null = null;
  /** The state seq the last build synced to: changes up to it are already built (or being built). */
  private syncedSeq = 0;
  /** The plan whose stale outputs were last removed. */
  private staleCheckedFor: Plan | null = null;
  /** The last selection (a plan and the targets asked for): the same Set objects while neither changes. */
  private selected: ({ plan: Plan; key: string } & Selection) | null = null;
  /** The wanted set whose every job the last full survey judged, in which freshness epoch. */
  private surveyed: { wanted: ReadonlySet<string>; epoch: number } | null = null;
  private readonly argvHashes = new WeakMap<PlannedJob, string>();
  /** Depfile paths as written by the compiler -> as jmake names them (the same system headers come in every depfile). */
  private readonly depPaths = new Map<string, string>();
  /** Compile -> its depfile's hash and the inputs it named (depfileInputs). */
  private readonly depfileLists = new Map<string, { readonly digest: string; readonly paths: readonly string[] }>();
  /** The command line each planned job runs (toolArgv). */
  private readonly toolArgvs = new WeakMap<PlannedJob, readonly string[]>();
  /** Each dependency's index in a planned job's `deps` (and so in its inputs, for a link): see `suspects` and `dependsOnAny`. */
  private readonly depPositions = new WeakMap<PlannedJob, Map<string, number>>();
  /** Every build, as it happens, for `jmake watch`. */
  private readonly feed = new BuildFeed();
  private lastJobEnv: { readonly path: string | undefined; readonly env: NodeJS.ProcessEnv } | null = null;
  private readonly changes = new ChangeList();
  /** The compile cache of the current [cache] settings (kept while they stay the same). */
  private compileCache: CompileCache | null = null;
  private readonly distributed: DistributedCompiles;

  constructor(private readonly deps: BuilderDeps) {
    this.externals = new ExternalFiles(deps.root, deps.hasher, watchFileWithInotify);
    this.distributed = new DistributedCompiles(deps.root);
    this.outputs = new OutputChecker(deps.root, deps.hasher);
    const watched = (path: string) => !path.startsWith('/') && (getFile(deps.recorder.state, path) !== undefined || getJob(deps.recorder.state, path) !== undefined);
    this.freshness = new Freshness(deps.recorder.state, watched);
    // A watcher asked for every change to be built, whatever [daemon] build_on_change says.
    const enabled = () => deps.buildOnChange() || this.feed.watchers > 0;
    this.idleCollector = new IdleCollector({
      collect: minorCollector(), busy: () => this.busy,
      collected: (ms, young) => deps.logger.log('daemon', `minor collection while idle: ${ms.toFixed(1)} ms${young === null ? '' : ` (${(young / (1 << 20)).toFixed(1)} MiB young)`}`),
    });
    this.trigger = new ChangeTrigger({ delayMs: CHANGE_DEBOUNCE_MS, enabled, start: (params) => this.startChangeBuild(params) });
    deps.recorder.subscribe((events) => {
      this.freshness.onEvents(events);
      const changed = buildChanges(events, (path) => this.freshness.isInput(path), CONFIG_PATH, this.feed.watchers > 0);
      this.changes.add(changed.paths);
      this.trigger.notice(changed.seq);
      if (events.some(changesPlan)) this.scheduleCompdbRefresh();
    });
  }

  /**
   * The output watcher saw a change: check that output before trusting it again. True when the
   * path is a file jmake writes (an output or a depfile of the current plan): the watcher need not
   * stat it to learn whether it is a new folder to watch. (The temp folders, where commands write
   * and previous outputs are put aside, are never watched: the daemon names them to the watcher.)
   */
  outputTouched(path: string): boolean {
    this.outputs.touched(path);
    this.freshness.outputTouched(path);
    const plan = this.planCache?.plan;
    if (plan === undefined) return false;
    const job = plan.jobs.get(path);
    return (job !== undefined && !job.user) || depfilesOf(plan).has(path);
  }

  /** The output watcher failed: from now on every build checks every output on disk. */
  outputsUnwatched(reason: string): void {
    if (!this.outputsUntrusted) this.deps.logger.log('watcher', `output dirs no longer watched (${reason}): every build checks every output`);
    this.outputsUntrusted = true;
  }

  get busy(): boolean {
    return this.running > 0;
  }

  private wentIdle(): void {
    if (this.running === 0) this.idleCollector.idle();
  }

  /** `cancel`: the request's cancellation; its signal is made only if this build runs something. */
  build(params: BuildParams, progress: (p: BuildProgress) => void, cancel: Abortable): Promise<BuildResult> {
    if (this.running > 0) {
      if (params.progress !== false) progress({ type: 'waiting', reason: this.changeBuild?.started ? 'finishing the build started when the sources changed' : 'another build is running' });
    }
    this.trigger.arm(params);
    // Cancelling a request that waits for a change build cancels that build too (Ctrl-C stops the compilers).
    const change = this.changeBuild;
    const cancelChange = () => change?.controller.abort();
    if (change) signalOf(cancel).addEventListener('abort', cancelChange, { once: true });
    // The sync barrier (every edit saved before this request is in the state) is passed now, not
    // when the build ahead finishes: on an edit built at once, that build is the change build, and
    // this request then answers as soon as it ends.
    const synced = this.syncWatcher();
    synced.catch(() => undefined);
    this.running++;
    const next = this.queue.then(() => {
      if (change) signalOf(cancel).removeEventListener('abort', cancelChange);
      return this.run(params, progress, cancel, 'request', synced);
    });
    this.queue = next.catch(() => undefined).finally(() => { this.running--; this.wentIdle(); });
    return next;
  }

  /** Stop starting change builds and cancel what is queued or running (the daemon is stopping). */
  close(): void {
    if (this.compdbTimer) clearTimeout(this.compdbTimer);
    this.externals.close();
    this.deps.toolchains.close();
    this.trigger.close();
    this.idleCollector.close();
    this.changeBuild?.controller.abort();
    this.cancelRunning();
  }

  /** Throws the error a build would stop with when jmake.toml is broken (`notify --no-wait` says so at once). */
  checkConfig(env: Readonly<Record<string, string>>): void {
    this.config(env);
  }

  /** Attach a watcher to the build feed; returns the detach function. */
  watch(listener: FeedListener): () => void {
    return this.feed.subscribe(listener);
  }

  /**
   * A build no client waits for (a watcher's first build, `jmake notify --no-wait`): queued like a
   * request, arming build on change, and run to the end even if the client that asked goes away.
   */
  startDetached(params: BuildParams): void {
    this.trigger.arm(params);
    this.queueUnattended('build', () => this.run(params, () => undefined, new AbortController().signal, 'request'));
  }

  private startChangeBuild(params: BuildParams): void {
    if (this.changeBuild && !this.changeBuild.started) return; // the one waiting will see these changes too
    const change = { controller: new AbortController(), started: false };
    this.changeBuild = change;
    this.queueUnattended('build on change', () => {
      change.started = true;
      // The build before this one synced after the change arrived: nothing new to build.
      if (this.trigger.latest <= this.syncedSeq) return null;
      return this.run(params, () => undefined, change.controller.signal, 'change');
    }, () => { if (this.changeBuild === change) this.changeBuild = null; });
  }

  /** Queue a build no request waits for: its errors go to the log, and it counts as running until done. */
  private queueUnattended(what: string, start: () => Promise<unknown> | null, after: () => void = () => undefined): void {
    this.running++;
    this.queue = this.queue.then(start).catch((err: unknown) => {
      this.deps.logger.log('job', `${what}: ${err instanceof Error ? err.message : String(err)}`);
    }).finally(() => {
      this.running--;
      after();
      this.wentIdle();
    });
  }

  /**
   * `ignoreConfigErrors`: `jmake complete` discovers tools for a config that is still incomplete
   * (an empty name is an error for a build); bad values then count as their defaults.
   */
  async tools(env: Readonly<Record<string, string>>, path: string | undefined, options: { ignoreConfigErrors?: boolean } = {}): Promise<ToolsResult> {
    const { config } = this.config(env, options.ignoreConfigErrors === true);
    const resolved = await this.toolchain(config, path);
    const chosen: Record<string, { path: string; version: string }> = {};
    for (const [role, tool] of Object.entries(resolved.toolchain.tools)) if (tool) chosen[role] = { path: tool.argv.join(' '), version: tool.version };
    return {
      family: resolved.toolchain.family,
      llvmMajor: resolved.toolchain.llvmMajor,
      chosen,
      found: resolved.toolchain.found.map((t) => ({ name: t.name, path: t.path, version: t.version })).sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /**
   * Remove every output jmake built (all profiles), keep the history. An output behind a symbolic
   * link out of the project is left alone (its record stays), and the clean then fails saying so.
   */
  async clean(): Promise<number> {
    await this.queue;
    const jobs: string[] = [];
    const refused: { message: string; hint: string }[] = [];
    const tempFolders = new Set<string>();
    for (const [id, record] of allJobs(this.deps.recorder.state)) {
      const why = this.removeOutput(id, record);
      if (why) refused.push(why);
      else jobs.push(id);
      if (!why && record.kind !== 'job') tempFolders.add(posix.dirname(tempPathOf(id)));
    }
    if (jobs.length > 0) this.deps.recorder.record([{ type: 'outputs-removed', data: { build: 0, jobs } }], { durable: true });
    for (const folder of tempFolders) removeTempFolder(this.deps.root, folder);
    if (refused.length > 0) {
      const first = refused[0]!;
      throw new JmakeError('build-plan', `${first.message}\n(${refused.length} output${refused.length === 1 ? '' : 's'} left in place, ${jobs.length} removed)`, 2, `${first.hint}, and clean again`);
    }
    return jobs.length;
  }

  /** `jmake jobs cancel`: stop the running build (its jobs' process groups are killed). */
  cancelRunning(): number {
    const n = this.active.size;
    for (const running of this.active) running.abort();
    return n;
  }

  /** `synced`: the request's sync barrier, passed while it waited (by default: sync now). */
  private async run(params: BuildParams, progress: (p: BuildProgress) => void, requestSignal: Abortable, trigger: Trigger, synced?: Promise<ProjectWatcher>): Promise<BuildResult> {
    // Cancelled by its own client (Ctrl-C) or by `jmake jobs cancel` from any client. Its controller
    // is made only for a build that runs something: each costs ~5 us hot and ~30-50 us cold on Node
    // 20, on every no-op.
    const linked = linkedSignal([requestSignal]);
    this.active.add(linked);
    try {
      return await this.runBuild(params, progress, linked, trigger, synced);
    } catch (err) {
      // Watchers hear why no build started; the requester gets the error itself.
      if (!params.dryRun && this.feed.watchers > 0) this.feed.emit(configErrorMessage(err, this.deps.root));
      throw err;
    } finally {
      linked.dispose();
      this.active.delete(linked);
    }
  }

  private async runBuild(params: BuildParams, progress: (p: BuildProgress) => void, cancel: LinkedSignal, trigger: Trigger, presynced?: Promise<ProjectWatcher>): Promise<BuildResult> {
    const started = performance.now();
    const phases = new PhaseTimer();
    // A change build promises nothing about other edits (a later one starts its own build), so it
    // hashes what is pending without a sync barrier. A watcher replaced since the request's early
    // sync (a rescan) is waited for and synced with again.
    const synced = presynced
      ? presynced.then((watcher) => (watcher === this.deps.watcher() ? watcher : this.syncWatcher()))
      : trigger === 'change' ? this.flushWatcher() : this.syncWatcher();
    this.externals.newBuild();
    await synced;
    // Inputs the source watcher does not track (system headers, ...): each has a watch of its own,
    // heard by now (the sync polled after them); the ones that could not be watched are stat'ed.
    const changedExternals = [...this.freshness.unwatchedInputs()].filter((path) => this.externals.changed(path));
    this.deps.settleConfig();
    this.syncedSeq = this.deps.recorder.state.lastSeq;
    if (trigger === 'request') this.trigger.cancelPending(); // this build sees every change recorded so far
    phases.mark('sync');
    const { config, warnings: configWarnings } = this.config(params.env ?? {});
    const toolchain = await this.toolchain(config, params.path);
    phases.mark('toolchain');
    const plan = await this.plan(config, params.profile ?? null, toolchain, params.jobs);
    const warnings = [...configWarnings, ...(this.planNotes.get(plan) ?? [])];
    const escape = escapingLink(this.deps.root, plan.outBase); // the output dir, a link out of the project?
    if (escape) {
      const { message, hint } = describeEscape(escape);
      throw new JmakeError('build-plan', message, 2, hint);
    }
    phases.mark('plan');
    const selection = this.selectJobs(plan, params.targets ?? []);
    const { wanted, position, roots } = selection;
    const recorder = this.deps.recorder;
    if (this.outputsUntrusted) {
      this.outputs.forgetAll();
      this.freshness.reset();
    }
    for (const path of changedExternals) this.freshness.invalidateReaders(path);
    const ctx = this.decideContext(plan, toolchain, params.force === true, roots);
    const cache = params.noCache || !config.cache.enabled ? null : this.cacheFor(config);
    const hosts = this.distributed.forBuild(config);
    const outputs = plan.targets.filter((t) => roots.has(t.output)).map((t) => join(this.deps.root, t.output));

    if (params.dryRun) return this.dryRun(plan, selection, ctx, outputs, warnings, started);

    const survey = this.survey(plan, selection, ctx);
    phases.mark('survey');
    // Jobs a change build already ran for this request, reported first, as if they ran now.
    const carried = trigger === 'request' ? this.carried.take(position, (id) => !survey.likely.has(id)) : [];
    const startedData = { targets: params.targets ?? [], profile: params.profile ?? null, force: params.force === true, planned: wanted.size, trigger };
    const checkStale = (params.targets ?? []).length === 0 && this.staleCheckedFor !== plan;
    if (survey.likely.size === 0 && carried.length === 0 && !params.force && !checkStale) {
      return this.upToDate(startedData, { started, phases, cancelled: cancel.aborted, outputs, warnings, earlier: params.warnings ? this.storedDiagnostics(wanted, new Map()) : [] });
    }
    const signal = cancel.signal; // made only now: a no-op needs none (linked-signal.ts)

    const [buildStarted] = recorder.record([{ type: 'build-started', data: startedData }]);
    const build = buildStarted!.seq;
    const reports = new Map<string, JobReport>();
    const diagnostics: DiagnosticInfo[] = [];
    const reasons = new Map<string, Reason>();
    const feed = (message: WatchMessage) => { if (this.feed.watchers > 0) this.feed.emit(message); };
    const feeding = () => this.feed.watchers > 0; // (checked first where a message costs something to make)
    // A client that prints only the result asks for no frames (BuildParams.progress).
    const send = params.progress === false ? null : progress;
    feed({ type: 'build-started', build, trigger, ...this.changes.take(), total: survey.likely.size });
    if (survey.likely.size > 0) recorder.record([{ type: 'jobs-queued', data: { build, jobs: [...survey.likely] } }]);
    const ranHere = new Set<string>();
    let total = survey.likely.size + carried.length;
    let done = 0;
    let launched = 0;
    let jobsRun = 0;
    for (const job of carried) {
      send?.({ type: 'job-started', job: job.report.id, kind: job.report.kind, done, total, label: job.label, reason: `${job.report.reason} (built when it changed)`, ...(params.verbose ? { command: job.command } : {}) });
      done++;
      launched++;
      reports.set(job.report.id, job.report);
      diagnostics.push(...job.diagnostics);
      send?.({ type: 'job-finished', job: job.report.id, kind: job.report.kind, status: job.report.status, durationMs: job.report.durationMs, done, total, log: job.rawLog });
    }
    const parallelism = params.jobs ?? (hosts ? distributedParallelism(hosts, availableParallelism()) : availableParallelism());

    // The compile cache's stores, started as each compile is recorded; awaited before the build ends.
    const cacheStores: Promise<void>[] = [];
    // Only the likely jobs are scheduled: the others were judged up to date and nothing upstream of
    // them can change in this build (everything downstream of a likely job is likely). At 10k
    // sources, scheduling all of them for a one-file edit cost tens of ms. Nothing likely (a no-op):
    // no graph to walk at all.
    const outcomes = survey.likely.size === 0 && !params.force
      ? new Map<string, 'up-to-date'>()
      : await schedule([...survey.likely].map((id) => plan.jobs.get(id)!), {
      parallelism,
      keepGoing: params.keepGoing === true,
      signal,
      decide: (job) => {
        // Nothing upstream ran in this build: the survey's answer still holds (a no-op judges each job
        // once). A job the survey left for now (downstream of a likely one) is judged here.
        const surveyed = survey.reasons.get(job.id);
        const rejudge = surveyed === undefined || this.dependsOnAny(job, ranHere);
        const reason = rejudge ? whyRun(job, getJob(recorder.state, job.id), ctx, this.suspects(job, ranHere)) : surveyed;
        if (reason) reasons.set(job.id, reason);
        else {
          if (rejudge) this.freshness.markFresh(job.id, recorder.state.lastSeq);
          if (survey.likely.has(job.id)) total = Math.max(done, total - 1);
        }
        return reason !== null;
      },
      execute: async (job, jobSignal, slotFree) => {
        ranHere.add(job.id);
        launched++;
        send?.({
          type: 'job-started', job: job.id, kind: job.kind, done: launched - 1, total: Math.max(total, launched),
          label: labelOf(job), reason: describeReason(reasons.get(job.id)!), ...(params.verbose ? { command: commandOf(job) } : {}),
        });
        if (feeding()) feed({ type: 'job-started', build, job: job.id, kind: job.kind, label: labelOf(job), done: launched - 1, total: Math.max(total, launched) });
        const report = await this.runJob(plan, job, build, toolchain, jobSignal, reasons.get(job.id)!, { path: params.path, cache, hosts, slotFree, cacheStores });
        done++;
        if (report.report.status !== 'cached') jobsRun++;
        reports.set(job.id, report.report);
        diagnostics.push(...report.diagnostics);
        if (trigger === 'change') {
          this.carried.ranOnChange({ report: report.report, rawLog: report.rawLog, diagnostics: report.diagnostics, label: labelOf(job), command: commandOf(job) });
        }
        send?.({ type: 'job-finished', job: job.id, kind: job.kind, status: report.report.status, durationMs: report.report.durationMs, done, total: Math.max(total, done), log: report.rawLog });
        if (feeding()) feed({ type: 'job-finished', build, job: job.id, kind: job.kind, status: report.cancelled ? 'cancelled' : report.report.status, durationMs: report.report.durationMs, done, total: Math.max(total, done), log: report.rawLog });
        for (const d of report.diagnostics) feed({ type: 'diagnostic', build, job: job.id, ...d });
        return report.cancelled ? 'cancelled' : report.report.status === 'failed' ? 'failed' : 'succeeded';
      },
      onSkipped: (job) => {
        reports.set(job.id, { id: job.id, kind: job.kind, output: join(this.deps.root, job.output), status: 'skipped', durationMs: 0, log: '', reason: 'a dependency failed or the build stopped' });
      },
    });
    await Promise.all(cacheStores);

    const skippedJobs = [...reports.values()].filter((r) => r.status === 'skipped').map((r) => r.id);
    if (skippedJobs.length > 0) recorder.record([{ type: 'jobs-skipped', data: { build, jobs: skippedJobs } }]);
    phases.mark('run');
    const cancelled = signal.aborted;
    const failed = [...outcomes.values()].filter((o) => o === 'failed').length;
    const skipped = [...outcomes.values()].filter((o) => o === 'skipped' || o === 'cancelled').length;
    const ok = failed === 0 && skipped === 0 && !cancelled;
    // Stale outputs come from a new plan (a source or target gone): one look per plan is enough.
    if (ok && checkStale) {
      this.removeStale(plan, build);
      this.staleCheckedFor = plan;
    }
    const earlierDiagnostics = params.warnings ? this.storedDiagnostics(wanted, reports) : [];
    const durationMs = Math.round(performance.now() - started);
    // fsynced right after the reply when the build changed something; a no-op's record rides the next group commit (≤ 1 s).
    const finished = { build, ok, jobsRun, failed, cancelled, durationMs, trigger, ...(carried.length > 0 ? { carried: carried.length } : {}) };
    recorder.record([{ type: 'build-finished', data: finished }], { durable: jobsRun > 0 || !ok ? 'soon' : false });
    feed({ type: 'build-finished', build, ok, jobsRun, failed, cancelled, durationMs });
    phases.mark('record');
    const carriedNote = carried.length > 0 ? ` (+${carried.length} run on change)` : '';
    this.deps.logger.log('job', buildLogLine({ build, trigger, ok, cancelled, jobsRun, carriedNote, failed, durationMs, phases }));
    const local = [...reports.values()].filter((r) => r.fellBack);
    if (local.length > 0) {
      const where = [...new Set(local.map((r) => `${r.host ?? 'a host'} (${r.fellBack})`))].join('; ');
      warnings.push(`jmake: ${local.length} compile${local.length === 1 ? '' : 's'} fell back to compiling here: distcc could not use ${where}`);
    }
    return {
      ok, build, jobsRun: jobsRun + carried.filter((c) => c.report.status !== 'cached').length, durationMs, outputs,
      // In the plan's order (sorting the few that ran, not walking all that are wanted).
      jobs: byPosition(reports.keys(), position).map((id) => reports.get(id)!),
      diagnostics, earlierDiagnostics, warnings, cancelled, dryRun: false,
    };
  }

  /**
   * A build that found every wanted job up to date (nothing ran on change for it either): its
   * build-started and build-finished are one record, one append and one state update, not two,
   * made once the reply is out.
   */
  private upToDate(startedData: EventDataByType['build-started'] & { trigger: Trigger }, at: {
    started: number; phases: PhaseTimer; cancelled: boolean; outputs: string[]; warnings: string[]; earlier: DiagnosticInfo[];
  }): BuildResult {
    const recorder = this.deps.recorder;
    const build = recorder.nextSeq;
    const cancelled = at.cancelled;
    const ok = !cancelled;
    const durationMs = Math.round(performance.now() - at.started);
    const finished = { build, ok, jobsRun: 0, failed: 0, cancelled, durationMs, trigger: startedData.trigger };
    // Nothing in the reply depends on the pair (Recorder.recordAfterReply).
    recorder.recordAfterReply([{ type: 'build-started', data: startedData }, { type: 'build-finished', data: finished }], { durable: ok ? false : 'soon' });
    if (this.feed.watchers > 0) {
      this.feed.emit({ type: 'build-started', build, trigger: startedData.trigger, ...this.changes.take(), total: 0 });
      this.feed.emit({ type: 'build-finished', build, ok, jobsRun: 0, failed: 0, cancelled, durationMs });
    }
    at.phases.mark('record');
    this.deps.logger.log('job', buildLogLine({ build, trigger: startedData.trigger, ok, cancelled, jobsRun: 0, carriedNote: '', failed: 0, durationMs, phases: at.phases }));
    return {
      ok, build, jobsRun: 0, durationMs, outputs: at.outputs, jobs: [], diagnostics: [], earlierDiagnostics: at.earlier,
      warnings: at.warnings, cancelled, dryRun: false,
    };
  }

  /** `lenient`: problems do not stop it; bad values count as their defaults (the last good config if it does not parse). */
  private config(env: Readonly<Record<string, string>>, lenient = false): { config: BuildConfig; warnings: string[] } {
    const state = this.deps.recorder.state;
    const file = join(this.deps.root, 'jmake.toml');
    if (state.config.error && !lenient) {
      const e = state.config.error;
      throw configRefusalOnDisk(file) ?? new JmakeError('config-invalid', `${file}:${e.line}:${e.column}: error: ${e.message}`, 2, 'fix jmake.toml; `jmake status` shows the error too');
    }
    // What `jmake validate` calls an error stops the build, in its words.
    const refused = lenient ? null : configRefusal(this.deps.configText(), file);
    if (refused) throw refused;
    const { config, issues } = this.resolveConfig(state.config.values ?? {}, this.deps.configText(), env);
    const format = (i: ConfigIssue) => `${file}:${i.line}:${i.column}: ${i.severity}: ${i.message}`;
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length > 0 && !lenient) throw new JmakeError('config-invalid', errors.map(format).join('\n'), 2, 'fix jmake.toml');
    return { config, warnings: issues.filter((i) => i.severity === 'warning').map(format) };
  }

  /**
   * resolveBuildConfig, remembered for the last document, text and build environment: the same
   * objects come back while none of them changed (~0.1 ms a no-op otherwise).
   */
  private resolveConfig(values: Readonly<Record<string, unknown>>, text: string, env: Readonly<Record<string, string>>): { config: BuildConfig; issues: readonly ConfigIssue[] } {
    const envKey = JSON.stringify(pickEnv(env));
    const memo = this.configMemo;
    if (memo && memo.values === values && memo.text === text && memo.envKey === envKey) return memo.result;
    const result = resolveBuildConfig(values, text, env, basename(this.deps.root));
    this.configMemo = { values, text, envKey, result };
    return result;
  }

  private toolchain(config: BuildConfig, path: string | undefined): Promise<ResolvedToolchain> {
    return this.deps.toolchains.get({
      pathEnv: path ?? this.deps.env.PATH ?? '',
      llvmRoot: config.llvm.root,
      prefer: config.llvm.prefer,
      overrides: config.llvm.tools,
      cc: config.env.CC,
      cxx: config.env.CXX,
    }).then((resolved) => {
      const recorded = this.deps.recorder.state.toolchain;
      if (recorded?.hash !== resolved.hash) {
        this.deps.recorder.record([{ type: 'toolchain-detected', data: { hash: resolved.hash, family: resolved.toolchain.family, llvmMajor: resolved.toolchain.llvmMajor, tools: resolved.records } }], { durable: true });
      }
      return resolved;
    });
  }

  private async plan(config: BuildConfig, profile: string | null, toolchain: ResolvedToolchain, jobs: number | undefined): Promise<Plan> {
    const state = this.deps.recorder.state;
    const pkgNames = config.targets.flatMap((t) => t.pkgConfig);
    const pkg = pkgNames.length > 0 ? await this.deps.pkgConfig.resolve(pkgNames) : {};
    const parallelism = jobs ?? availableParallelism();
    const key = JSON.stringify([state.config.hash, profile, config.env, toolchain.hash, state.fileSetSeq, pkg, parallelism]);
    if (this.planCache?.key === key) return this.planCache.plan;
    this.freshness.reset();
    const files = [...liveFiles(state)].map(([path]) => path).sort();
    const plan = planBuild({ config, profile, files, toolchain: toolchain.toolchain, pkgConfig: pkg, parallelism, root: this.deps.root });
    if (plan.errors.length > 0) {
      throw new JmakeError('build-plan', plan.errors.map((e) => e.message).join('\n'), 2);
    }
    for (const id of this.depfileLists.keys()) if (!plan.jobs.has(id)) this.depfileLists.delete(id); // jobs gone (or of another profile)
    this.planCache = { key, plan };
    const sources = [...plan.jobs.values()].flatMap((j) => (j.source ? [j.source] : []));
    this.planNotes.set(plan, [...plan.notes, ...undecodableNames(this.deps.root, foldersOf(sources)).map(undecodableWarning)]);
    this.writeCompdb(config, plan, toolchain);
    return plan;
  }

  /**
   * The file set or the config changed: bring compile_commands.json up to date without a build.
   * Only after a request in this daemon's life (planning probes the compilers).
   */
  private scheduleCompdbRefresh(): void {
    if (this.compdbTimer || !this.trigger.lastRequest) return;
    this.compdbTimer = setTimeout(() => {
      this.compdbTimer = null;
      const last = this.trigger.lastRequest;
      if (!last) return;
      this.compdb(last.env ?? {}, last.path, last.profile, false).catch((err: unknown) => {
        this.deps.logger.log('job', `compile_commands.json not refreshed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      });
    }, COMPDB_DEBOUNCE_MS);
    this.compdbTimer.unref();
  }

  /**
   * Plan as a build would (config, toolchain, file set) and write compile_commands.json.
   * `requested` (`jmake compdb`): from the file set as a build would see it (after the initial
   * scan, with every saved edit), and written even if unchanged. The
   * refresh in the background follows events already recorded and must not hash a file still
   * being saved: a sync would, and a build on change would then compile it half written (seen as
   * a failed link in the watch tests); it writes only a changed file.
   */
  async compdb(env: Readonly<Record<string, string>>, path: string | undefined, profile: string | undefined, requested = true): Promise<{ path: string | null; entries: number }> {
    if (requested) await this.syncWatcher(); else await this.flushWatcher();
    this.deps.settleConfig();
    const { config } = this.config(env);
    const toolchain = await this.toolchain(config, path);
    const plan = await this.plan(config, profile ?? null, toolchain, undefined);
    return { path: config.compile.compdb ? join(this.deps.root, config.compile.compdb) : null, entries: this.writeCompdb(config, plan, toolchain, requested) };
  }

  /**
   * compile_commands.json follows every new plan (file set, flags, toolchain); written atomically,
   * and only when its text changed, so editors watching it are not woken for nothing.
   */
  private writeCompdb(config: BuildConfig, plan: Plan, toolchain: ResolvedToolchain, evenIfUnchanged = false): number {
    if (!config.compile.compdb) return 0;
    const entries = compdbEntries(plan, this.deps.root, (job) => toolArgCount(job, toolchain));
    const text = compdbText(entries);
    const file = join(this.deps.root, config.compile.compdb);
    try {
      if (!evenIfUnchanged && readFileSync(file, 'utf8') === text) return entries.length;
    } catch { /* not there yet */ }
    const escape = escapingLinkTo(this.deps.root, config.compile.compdb);
    if (escape) {
      this.deps.logger.log('job', `${file} not written: ${describeEscape(escape).message}`);
      return entries.length;
    }
    try {
      // The temp file lives in .jmake/, which the watcher ignores: only the final file is an event.
      try {
        writeFileAtomic(file, text, { tmp: join(this.deps.root, '.jmake', 'compdb.jmake-tmp') });
      } catch (err) {
        // .jmake on its own file system (a mount): the rename cannot cross it, so the temp goes beside the file.
        if (!isErrno(err, 'EXDEV')) throw err;
        writeFileAtomic(file, text);
      }
    } catch (err) {
      this.deps.logger.log('job', `cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return entries.length;
  }

  /** The requested targets' jobs (`roots`) and everything they depend on (`wanted`). */
  private selectJobs(plan: Plan, targets: readonly string[]): Selection {
    const key = targets.join('\0');
    if (this.selected?.plan === plan && this.selected.key === key) return this.selected;
    const selection = this.selectJobsAfresh(plan, targets);
    this.selected = { plan, key, ...selection };
    return selection;
  }

  private selectJobsAfresh(plan: Plan, targets: readonly string[]): Selection {
    const roots: string[] = [];
    // A plain build: every target, and the user jobs with declared inputs (they are incremental).
    if (targets.length === 0) roots.push(...plan.targets.map((t) => t.output), ...[...plan.jobs.values()].filter((j) => j.user?.incremental).map((j) => j.id));
    for (const name of targets) {
      const target = plan.targets.find((t) => t.name === name) ?? plan.targets.find((t) => t.output === name);
      const job = plan.jobs.get(name);
      if (target) roots.push(target.output);
      else if (job) roots.push(job.id);
      else throw new JmakeError('unknown-target', `no target or output named "${name}"`, 2, `targets: ${plan.targets.map((t) => t.name).join(', ')}`);
    }
    const wanted = new Set<string>();
    const visit = (id: string) => {
      if (wanted.has(id)) return;
      const job = plan.jobs.get(id);
      if (!job) return;
      wanted.add(id);
      for (const d of job.deps) visit(d);
    };
    roots.forEach(visit);
    // Keep the plan's order (declaration order, compiles before links) for what is reported; the
    // survey walks a topological order, as the plan's is not one (a generator job comes after the
    // compiles that wait for it, a target may link one declared after it).
    const inPlanOrder = new Set([...plan.jobs.keys()].filter((id) => wanted.has(id)));
    const topological: string[] = [];
    const placed = new Set<string>();
    const place = (id: string) => {
      if (placed.has(id) || !inPlanOrder.has(id)) return;
      placed.add(id);
      for (const d of plan.jobs.get(id)!.deps) place(d);
      topological.push(id);
    };
    inPlanOrder.forEach(place);
    const downstream = new DownstreamIndex(topological, (id) => plan.jobs.get(id)!.deps);
    const position = new Map([...inPlanOrder].map((id, i) => [id, i]));
    return { wanted: inPlanOrder, position, topological, downstream, roots: new Set(roots) };
  }

  private decideContext(plan: Plan, toolchain: ResolvedToolchain, force: boolean, roots: ReadonlySet<string>) {
    const state = () => this.deps.recorder.state;
    const ctx = {
      force,
      roots,
      asked: (job: PlannedJob) => job.user !== undefined && !job.user.incremental && roots.has(job.id),
      toolId: (job: PlannedJob) => toolIdOf(toolchain, job),
      argvHash: (job: PlannedJob) => this.argvHash(job),
      currentHash: (path: string) => currentHash(state(), plan, this.externals, path),
      outputState: (job: PlannedJob, record: JobRecord) => (job.user
        ? (job.user.outputs.every((o) => existsSync(join(this.deps.root, o))) ? 'ok' : 'missing')
        : this.outputs.state(job.output, record.output, record.seq)),
    };
    return ctx;
  }

  /**
   * Judge every wanted job against the state as the build starts. `likely`: the jobs with a reason
   * plus everything downstream of them (the status line's total; a dry run's list). A job
   * downstream of a likely one is judged only when its dependencies are done (no entry in
   * `reasons`), unless `eager` (a dry run): a link's judgement reads every object's record, ~1 ms
   * per 1k objects, and would be made again after the compile anyway.
   */
  private survey(plan: Plan, { wanted, topological, downstream }: Selection, ctx: ReturnType<Builder['decideContext']>, eager = false): { reasons: Map<string, Reason | null>; likely: Set<string> } {
    const state = this.deps.recorder.state;
    const reasons = new Map<string, Reason | null>();
    const likely = new Set<string>();
    // Every wanted job was judged in this epoch: only those something happened to since (dirty) and
    // what depends on them can be out of date, found in time proportional to what changed (a no-op
    // at 10k sources examines nothing; a one-file edit, the compile and the link).
    const asksAny = [...ctx.roots].some((id) => { const job = plan.jobs.get(id); return job !== undefined && ctx.asked(job); });
    let walk = topological;
    if (!ctx.force && !asksAny && this.surveyed?.wanted === wanted && this.surveyed.epoch === this.freshness.epoch) {
      const dirty = this.freshness.dirtyIn(wanted);
      if (dirty.length === 0) return { reasons, likely };
      walk = downstream.closure(dirty);
    }
    for (const id of walk) {
      const job = plan.jobs.get(id)!;
      if (!eager && this.dependsOnAny(job, likely)) {
        likely.add(id);
        this.freshness.markStale(id); // until it is judged or run
        continue;
      }
      // A job nothing touched since it was last found up to date is not examined again (nor marked
      // again: a no-op costs two map lookups a job).
      const trusted = !ctx.force && !ctx.asked(job);
      const known = trusted && this.freshness.isFresh(id);
      let reason: Reason | null = null;
      if (!known) {
        const record = getJob(state, id);
        // Only its output in doubt (it was just written): a stat, not a look at every input.
        reason = trusted && this.freshness.outputInDoubt(id) ? whyRunOutputOnly(job, record, ctx) : whyRun(job, record, ctx);
      }
      if (reason === null && !known) this.freshness.markFresh(id, state.lastSeq);
      if (reason !== null) this.freshness.markStale(id);
      reasons.set(id, reason);
      if (reason !== null || this.dependsOnAny(job, likely)) likely.add(id);
    }
    this.surveyed = { wanted, epoch: this.freshness.epoch };
    return { reasons, likely };
  }

  private dryRun(plan: Plan, selection: Selection, ctx: ReturnType<Builder['decideContext']>, outputs: string[], warnings: string[], started: number): BuildResult {
    const { reasons, likely } = this.survey(plan, selection, ctx, true);
    const jobs: JobReport[] = [];
    for (const id of likely) {
      const job = plan.jobs.get(id)!;
      const reason = reasons.get(id) ?? null;
      const upstream = job.deps.find((d) => likely.has(d));
      jobs.push({
        id, kind: job.kind, output: join(this.deps.root, job.output), status: 'would-run', durationMs: 0, log: '',
        reason: reason ? describeReason(reason) : `${upstream} would be rebuilt`, command: commandOf(job),
      });
    }
    return { ok: true, build: 0, jobsRun: 0, durationMs: Math.round(performance.now() - started), outputs, jobs, diagnostics: [], earlierDiagnostics: [], warnings, cancelled: false, dryRun: true };
  }

  /** `slotFree`: called once the tool succeeded, so the next job's tool starts while this one is recorded (scheduler.ts); true when one did. */
  private async runJob(plan: Plan, job: PlannedJob, build: number, toolchain: ResolvedToolchain, signal: AbortSignal, reason: Reason,
    { path, cache, hosts, slotFree, cacheStores }: { path: string | undefined; cache: CompileCache | null; hosts: readonly DistccHost[] | null; slotFree: () => boolean; cacheStores: Promise<void>[] }) {
    const recorder = this.deps.recorder;
    const root = this.deps.root;
    // The inputs' content as the job starts: what the job key must describe.
    const before = recorder.state;
    const recordStart = () => recorder.record([{ type: 'job-started', data: { build, job: job.id, kind: job.kind } }]);
    const env = this.jobEnv(path);
    const hashNow = (p: string) => currentHash(before, plan, this.externals, p);
    const toolId = toolIdOf(toolchain, job);
    // A compile (its headers come from its depfile) may be in the cache: restored, not run.
    const sourceHash = cache && !job.user && job.source && job.depfile ? hashNow(job.source) : null;
    const primary = sourceHash ? primaryKey({ tool: toolId, argv: job.argv, root, sourceHash }, (text) => this.deps.hasher.hashBytes(Buffer.from(text))) : null;
    const cacheStarted = performance.now();
    const hit = primary ? await this.restoreFromCache(cache!, primary, job, hashNow) : null;
    let result: RunResult;
    let argv: readonly string[];
    let distcc: DistccOutcome | null = null;
    let known: { inputs: Inputs; key: string } | null = null;
    if (hit) {
      recordStart();
      argv = [...job.argv];
      result = { exitCode: 0, signal: null, output: hit.log, durationMs: performance.now() - cacheStarted, spawnError: null, cancelled: false };
    } else if (job.user) {
      recordStart();
      argv = [...job.argv];
      result = await runUserJob(this.deps.runner, job, root, env, signal, (message) => this.deps.logger.log('job', message));
      // What it wrote may be a tracked file (a generated header): in the state before dependents are judged.
      if (job.user.outputs.length > 0) await this.deps.watcher().sync();
    } else {
      const remote = this.distributed.command(job, toolchain, hosts);
      argv = remote?.argv ?? this.toolArgv(job, toolchain);
      // The slot is free once the tool exited 0: the next tool starts before this one's outputs
      // are put in place and recorded (its start reaches the spawn without a turn of the loop).
      const running = this.deps.runner.run({
        argv, cwd: root, env: remote ? { ...env, ...remote.env } : env,
        outputs: [{ tmp: join(root, job.tmpOutput), final: join(root, job.output), aside: join(root, asidePathOf(job.output)) }], root,
      }, signal, slotFree);
      // Recorded once the spawn is asked for: its fold is not between a slot and its next tool.
      recordStart();
      // A job without a depfile (a link, an archive) reads its dependencies' outputs, known before
      // it runs: their hashes and the key are worked out while the tool runs, once its start is on
      // its way. For a 10k-object link that was 15–35 ms after the link, on every edit.
      [result, known] = await Promise.all([running, job.depfile ? null : afterThisTurn(() => this.inputsAndKey(plan, job, before, toolId, true))]);
      if (remote) distcc = this.distributed.finish(remote);
    }
    const succeeded = result.exitCode === 0 && !result.cancelled;
    // A failed one keeps its slot: without --keep-going nothing new may start after it. When the
    // slot went to another job, the yield lets its start, all synchronous up to its tool's spawn,
    // go first (the last job of a build, a link, has no one to wait for).
    if (succeeded && slotFree()) await new Promise((resolve) => setImmediate(resolve));
    const log = result.spawnError ? `jmake: cannot run ${argv[0]}: ${result.spawnError}\n${result.output}` : result.output;
    const parsed = parseDiagnostics(log, root);
    // (Finding a link's sources walks its whole input graph: only when there is something to place.)
    const diagnostics: DiagnosticData[] = job.source || parsed.length === 0 ? parsed : resolveLinkerFiles(parsed, linkedSources(plan, job));
    const { inputs, key } = known ?? this.inputsAndKey(plan, job, before, toolId, succeeded, hit?.inputs);
    const argvHash = this.argvHash(job);
    const facts = succeeded && job.output !== '' ? outputFacts(join(root, job.output), this.deps.hasher) : null;
    const output = facts ? { path: job.output, ...facts } : null;
    // A user job may declare no outputs; one that declares some must have written them all.
    const wrote = succeeded && (job.user ? job.user.outputs.every((o) => existsSync(join(root, o))) : output !== null);
    const status = result.cancelled ? 'cancelled' : wrote ? 'succeeded' : 'failed';
    if (job.user && status !== 'succeeded') {
      for (const o of job.user.outputs) {
        const outcome = removeInside(root, o);
        if (outcome.refused) this.deps.logger.log('job', `job ${job.id}: output left in place: ${outcome.refused}`);
      }
    }
    const event: NewEvent = {
      type: 'job-finished',
      data: {
        build, job: job.id, kind: job.kind, status, exitCode: result.exitCode, durationMs: Math.round(result.durationMs),
        key, tool: toolId, argvHash, inputs: diffInputs(getJob(recorder.state, job.id), inputs), output, diagnostics, ...(hit ? { cached: true } : {}),
        log: log.length > MAX_LOG_IN_EVENT ? `${log.slice(0, MAX_LOG_IN_EVENT)}\n[truncated]\n` : log,
      },
    };
    const [recorded] = recorder.record([event]);
    // Kept in the cache after the record, while what depends on the output runs: stored before it,
    // a compile's copy into the cache (~8 file operations on libuv's threads) was between the
    // compile and its link on every edit. The build waits for its stores before it ends, so the
    // output is not rewritten meanwhile.
    if (primary && !hit && status === 'succeeded' && output) {
      cacheStores.push(cache!.store(primary, inputs, { output: join(root, job.output), outputHash: output.hash, outputSize: output.size, depfile: join(root, job.depfile!), log, root })
        .catch((err) => this.deps.logger.log('job', `cannot store ${job.id} in the cache: ${(err as Error).message}`)));
    }
    if (output && recorded) {
      this.outputs.written(job.output, recorded.seq);
      // Up to date with the inputs as they were when it started; a later edit touches it again.
      if (status === 'succeeded') this.freshness.markFresh(job.id, before.lastSeq);
    }
    this.deps.logger.log('job', `${job.kind} ${job.id}: ${hit ? 'restored from the cache' : status} in ${Math.round(result.durationMs)}ms`);
    const report: JobReport = {
      // The reply keeps its statuses: a job stopped while it ran did not succeed.
      id: job.id, kind: job.kind, output: join(root, job.output), status: status !== 'succeeded' ? 'failed' : hit ? 'cached' : 'succeeded', durationMs: Math.round(result.durationMs),
      log: stripAnsi(log), reason: describeReason(reason),
      ...(distcc?.host ? { host: distcc.host } : {}), ...(distcc?.fellBack ? { fellBack: distcc.fellBack } : {}),
    };
    return { report, rawLog: log, diagnostics: diagnostics as DiagnosticInfo[], cancelled: result.cancelled };
  }

  /** A hit put in place (output renamed over, depfile written), or null: the job runs. */
  private async restoreFromCache(cache: CompileCache, primary: string, job: PlannedJob, hashNow: (path: string) => string | null): Promise<CacheHit | null> {
    const root = this.deps.root;
    // Never write through a link out of the project: the runner then refuses the job and says why.
    // The walk of the temp file's folder checks every folder above it too, the output's among them
    // (tempPathOf), and a compile's depfile sits beside its output: one walk, not three.
    if (escapingLinkTo(root, job.tmpOutput)) return null;
    const tempFolder = posix.dirname(job.tmpOutput);
    const walked = (rel: string) => tempFolder === posix.dirname(rel) || tempFolder.startsWith(`${posix.dirname(rel)}/`);
    for (const rel of [job.output, job.depfile]) if (rel && !walked(rel) && escapingLinkTo(root, rel)) return null;
    const hit = await cache.lookup(primary, hashNow);
    const restored = hit !== null && await cache.restore(hit, { output: join(root, job.output), tmp: join(root, job.tmpOutput), depfile: job.depfile ? join(root, job.depfile) : null, root });
    if (!restored) cache.counts.misses++;
    return restored ? hit : null;
  }

  /**
   * The tools' environment: the daemon's, with the client's PATH. One object while PATH stays the
   * same, so the runner renders it once (native-spawn.ts), not once a job.
   */
  private jobEnv(path: string | undefined): NodeJS.ProcessEnv {
    if (this.lastJobEnv === null || this.lastJobEnv.path !== path) {
      this.lastJobEnv = { path, env: path === undefined ? { ...this.deps.env } : { ...this.deps.env, PATH: path } };
    }
    return this.lastJobEnv.env;
  }

  /** For a change build: hash what has settled meanwhile, without the sync barrier. */
  private async flushWatcher(): Promise<void> {
    const watcher = this.deps.watcher();
    await watcher.waitReady();
    watcher.flush(true);
  }

  /**
   * Wait for the watcher's initial scan, then sync with it: every edit saved before now is in the
   * state. A watcher replaced meanwhile (a rescan after an overflow or a settings change) is
   * waited for in turn: the closed one would answer at once and miss what the new one finds.
   */
  private async syncWatcher(): Promise<ProjectWatcher> {
    for (;;) {
      const watcher = this.deps.watcher();
      // Ready: the poll turn starts now, before the caller goes on (the reply to a pipelined hello,
      // the build's first steps), so it overlaps that work.
      if (!watcher.ready) await watcher.waitReady();
      await watcher.sync();
      if (watcher === this.deps.watcher()) return watcher;
    }
  }

  /** `[distributed]` hosts and what each took, for `jmake status`. */
  distributedStatus(): DistributedStatus | null {
    return this.distributed.status();
  }

  /** `jmake cache stats|clean`: the cache of the current [cache] settings. */
  async cacheCommand(action: 'stats' | 'clean'): Promise<CacheResult> {
    const { config } = this.config({}, true);
    const cache = this.cacheFor(config);
    const stats = action === 'clean' ? await cache.clean() : await cache.stats();
    return { enabled: config.cache.enabled, ...stats, ...cache.counts };
  }

  /** The cache for these [cache] settings; the same object while they do not change. */
  private cacheFor(config: BuildConfig): CompileCache {
    const dir = config.cache.dir === null ? defaultCacheDir(this.deps.env) : resolve(this.deps.root, config.cache.dir);
    if (this.compileCache?.baseDir !== dir || this.compileCache.maxBytes !== config.cache.maxBytes) {
      this.compileCache = new CompileCache(dir, this.deps.hasher, config.cache.maxBytes, (message) => this.deps.logger.log('job', message));
    }
    return this.compileCache;
  }

  /**
   * The dependencies of `job` that ran in this build, with their place in its record's inputs (a
   * link's inputs are its dependencies, in order): what `whyRun` looks at first.
   */
  private suspects(job: PlannedJob, ran: ReadonlySet<string>): [number, string][] {
    if (job.depfile || job.user || ran.size === 0) return [];
    const positions = this.depPositionsOf(job);
    const out: [number, string][] = [];
    for (const id of ran) {
      const at = positions.get(id);
      if (at !== undefined) out.push([at, id]);
    }
    return out;
  }

  /**
   * Whether `job` depends on one of `ids`, walking the smaller side: a 10k-object link after a
   * one-file edit looks up the one job that ran, not its 10k dependencies.
   */
  private dependsOnAny(job: PlannedJob, ids: ReadonlySet<string>): boolean {
    if (ids.size === 0 || job.deps.length === 0) return false;
    if (job.deps.length <= ids.size) return job.deps.some((d) => ids.has(d));
    const positions = this.depPositionsOf(job);
    for (const id of ids) if (positions.has(id)) return true;
    return false;
  }

  private depPositionsOf(job: PlannedJob): ReadonlyMap<string, number> {
    let positions = this.depPositions.get(job);
    if (!positions) this.depPositions.set(job, positions = new Map(job.deps.map((d, i) => [d, i])));
    return positions;
  }

  /**
   * The command line a job runs locally: its launcher, the tool, the flags that do not change the
   * output (not in the key), then the rest. Kept per planned job (a plan lives until the config or
   * the toolchain changes): a 10k-object link's is built once, and the runner then knows its
   * response file is still right by comparing one array.
   */
  private toolArgv(job: PlannedJob, toolchain: ResolvedToolchain): readonly string[] {
    let argv = this.toolArgvs.get(job);
    if (argv === undefined) {
      const toolArgs = toolArgCount(job, toolchain);
      argv = [...(job.launcher ?? []), ...job.argv.slice(0, toolArgs), ...job.cosmeticArgs, ...job.argv.slice(toolArgs)];
      this.toolArgvs.set(job, argv);
    }
    return argv;
  }

  /** Kept per planned job (a plan is immutable): a 10k-object link's command line is ~0.5 MB. */
  private argvHash(job: PlannedJob): string {
    let hash = this.argvHashes.get(job);
    if (hash === undefined) {
      hash = this.deps.hasher.hashBytes(Buffer.from(job.argv.join('\u0000')));
      this.argvHashes.set(job, hash);
    }
    return hash;
  }

  /** What the job read (`inputsOf`, unless a cache hit says) and the key they make with its tool and command line. */
  private inputsAndKey(plan: Plan, job: PlannedJob, before: ProjectState, toolId: string, succeeded: boolean, given?: Inputs): { inputs: Inputs; key: string } {
    const inputs = given ?? this.inputsOf(plan, job, before, succeeded);
    return { inputs, key: jobKey(toolId, this.argvHash(job), inputs, (text) => this.deps.hasher.hashBytes(Buffer.from(text))) };
  }

  /**
   * What the job read, with each input's content as of the job's start: the depfile's list for
   * compiles (the source and every header), the input outputs for the rest. An input as it was in
   * the job's last record is that record's own pair: a 10k-object link after a one-file edit then
   * makes one new pair, not 10k young objects that survive into the state (a 14 ms scavenge
   * between the link's exit and its record, traced at 10k), and the patch compares them by identity.
   */
  private inputsOf(plan: Plan, job: PlannedJob, before: ProjectState, succeeded: boolean): Inputs {
    let paths: readonly string[];
    if (job.user) {
      paths = [...job.user.inputs, ...job.deps];
    } else if (job.depfile && succeeded) {
      paths = this.depfileInputs(job, job.depfile);
    } else {
      paths = job.source ? [job.source] : [...job.deps];
    }
    const last = getJob(before, job.id)?.inputs;
    return paths.map((path, i) => {
      const hash = currentHash(before, plan, this.externals, path) ?? 'missing';
      const was = last?.[i];
      return was !== undefined && was[1] === hash && was[0] === path ? was : [path, hash] as const;
    });
  }

  /**
   * The inputs a compile's depfile names (normalised), the source first. A depfile with the same
   * bytes as at the job's last run gives the same list: kept per job by the bytes' hash, it is not
   * decoded and parsed again (with gcc's ~30 paths a compile, ~0.3 ms a job beside the compilers).
   */
  private depfileInputs(job: PlannedJob, depfile: string): readonly string[] {
    let bytes: Buffer | null = null;
    try { bytes = readFileSync(join(this.deps.root, depfile)); } catch { /* no depfile: only the source */ }
    const digest = bytes === null ? '' : this.deps.hasher.hashBytes(bytes);
    const known = this.depfileLists.get(job.id);
    if (known?.digest === digest) return known.paths;
    const paths = parseDepfile(bytes === null ? '' : bytes.toString('utf8')).inputs.map((p) => this.depPath(p));
    if (job.source && !paths.includes(job.source)) paths.unshift(job.source);
    this.depfileLists.set(job.id, { digest, paths });
    return paths;
  }

  /** `normalizeDepPath`, remembered: ~30 paths a compile here, most of them the same system headers. */
  private depPath(written: string): string {
    let path = this.depPaths.get(written);
    if (path === undefined) {
      path = normalizeDepPath(written, this.deps.root);
      if (this.depPaths.size >= DEP_PATHS_KEPT) this.depPaths.clear();
      this.depPaths.set(written, path);
    }
    return path;
  }

  /** Delete outputs of jobs the plan no longer has (removed sources or targets) under its output dir. */
  private removeStale(plan: Plan, build: number): void {
    const prefix = `${plan.outBase}/`;
    const stale = [...allJobs(this.deps.recorder.state)].map(([id]) => id).filter((id) => id.startsWith(prefix) && !plan.jobs.has(id)
      && !isUnderOtherProfile(id, plan));
    if (stale.length === 0) return;
    const removed = stale.filter((id) => {
      const why = this.removeOutput(id, getJob(this.deps.recorder.state, id));
      if (why) this.deps.logger.log('job', `stale output left in place: ${why.message}`);
      return why === null;
    });
    if (removed.length === 0) return;
    this.deps.recorder.record([{ type: 'outputs-removed', data: { build, jobs: removed } }]);
    this.deps.logger.log('job', `removed ${removed.length} stale outputs`);
  }

  /**
   * Delete what a recorded job owns (graph/outputs.ts), never through a link out of the root: null
   * when done, else why not. A record that names no plain path inside the project (left by an
   * older jmake) is forgotten without deleting anything.
   */
  private removeOutput(id: string, record: JobRecord | undefined): { message: string; hint: string } | null {
    const paths = ownedFiles(id, record?.kind ?? 'compile', record?.output?.path ?? null);
    if (!paths.every(isPlainRelative)) {
      this.deps.logger.log('job', `left ${id} alone: not a plain path inside the project`);
      return null;
    }
    for (const path of paths) {
      const outcome = removeInside(this.deps.root, path);
      if (outcome.refused) return { message: outcome.refused, hint: outcome.hint ?? `remove ${path} by hand` };
    }
    return null;
  }

  /** The diagnostics recorded when the up-to-date jobs last ran (`--warnings`). */
  private storedDiagnostics(wanted: ReadonlySet<string>, ran: ReadonlyMap<string, JobReport>): DiagnosticInfo[] {
    const out: DiagnosticInfo[] = [];
    for (const id of wanted) {
      if (ran.has(id)) continue;
      const record = getJob(this.deps.recorder.state, id);
      if (record) out.push(...(record.diagnostics as DiagnosticInfo[]));
    }
    return out;
  }
}

/**
 * Why a build could not start, for watchers: a config error carries the first `file:line:col:
 * error: message` of the error, the file relative to the root like every path of the feed.
 */
function configErrorMessage(err: unknown, root: string): WatchMessage {
  const text = err instanceof Error ? err.message : String(err);
  if (!(err instanceof JmakeError) || !USAGE_ERROR_CODES.has(err.code)) return { type: 'error', message: text };
  const located = /^(.+?):(\d+):(\d+): error: (.*)$/m.exec(text);
  if (!located) return { type: 'config-error', message: text, file: null, line: null, column: null };
  const file = located[1]!.startsWith(`${root}/`) ? located[1]!.slice(root.length + 1) : located[1]!;
  return { type: 'config-error', message: located[4]!, file, line: Number(located[2]), column: Number(located[3]) };
}

/** The daemon log's line for a finished build (bench/scoped.js and bench/notify.js parse it). */
function buildLogLine(b: { build: number; trigger: Trigger; ok: boolean; cancelled: boolean; jobsRun: number; carriedNote: string; failed: number; durationMs: number; phases: PhaseTimer }): string {
  const outcome = b.ok ? 'ok' : b.cancelled ? 'cancelled' : 'failed';
  return `build ${b.build}${b.trigger === 'change' ? ' (on change)' : ''}: ${outcome}, ${b.jobsRun} jobs run${b.carriedNote}, ${b.failed} failed, in ${b.durationMs}ms (${b.phases})`;
}

/** "sync 1.2ms, plan 0.1ms, ...": where a build's own time went, for the daemon log. */
class PhaseTimer {
  private last = performance.now();
  private readonly parts: string[] = [];

  mark(name: string): void {
    const now = performance.now();
    this.parts.push(`${name} ${(now - this.last).toFixed(1)}ms`);
    this.last = now;
  }

  toString(): string {
    return this.parts.join(', ');
  }
}

/**
 * The content hash of an input now: another planned job's output (from its record), a tracked
 * file (from the watcher's state), or anything else (stat + hash, once per build).
 */
function currentHash(state: ProjectState, plan: Plan, externals: ExternalFiles, path: string): string | null {
  if (plan.jobs.has(path)) {
    const record = getJob(state, path);
    // A user job without outputs: its last key stands for what it did.
    return record?.output?.hash ?? (record?.status === 'succeeded' && plan.jobs.get(path)!.user ? record.key : null);
  }
  const file = getFile(state, path);
  if (file) return file.hash;
  // Outside the root, or in a folder the watcher does not track: look at the disk.
  return externals.hash(path);
}

/** The ids that have a place, in that order. */
function byPosition(ids: Iterable<string>, position: ReadonlyMap<string, number>): string[] {
  return [...ids].filter((id) => position.has(id)).sort((a, b) => position.get(a)! - position.get(b)!);
}

/**
 * `work()`, once what is already queued (the microtasks that send a tool's start to jmake-spawn or
 * the spawner) has gone out.
 */
function afterThisTurn<T>(work: () => T): Promise<T> {
  return new Promise((resolve, reject) => setImmediate(() => {
    try { resolve(work()); } catch (err) { reject(err); }
  }));
}

/** The sources whose objects a link or archive job reads, directly or through other jobs (IR, archives). */
function linkedSources(plan: Plan, job: PlannedJob): string[] {
  const sources = new Set<string>();
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const dep = plan.jobs.get(id);
    if (!dep) return;
    if (dep.source) sources.add(dep.source);
    else dep.deps.forEach(visit);
  };
  job.deps.forEach(visit);
  return [...sources];
}

/** What the status line shows: the source for compiles, the id for user jobs, the output otherwise. */
function labelOf(job: PlannedJob): string {
  return job.user ? job.id : job.source ?? job.output;
}

function toolIdOf(toolchain: ResolvedToolchain, job: PlannedJob): string {
  return job.tool === 'user' ? 'user' : toolchain.ids[job.tool] ?? `missing ${job.tool}`;
}

/** Profiles with their own output dir nested in this one are not stale. */
function isUnderOtherProfile(id: string, plan: Plan): boolean {
  const rest = id.slice(plan.outBase.length + 1);
  return !/^(obj|bin|lib|ir)\//.test(rest) && !rest.startsWith('thinlto-cache/');
}

/**
 * How many of a job's leading arguments name its tool (1, or more for a tool configured with
 * arguments of its own): the flags that do not change the output go after them.
 */
function toolArgCount(job: PlannedJob, toolchain: ResolvedToolchain): number {
  return job.tool === 'user' ? 1 : toolchain.toolchain.tools[job.tool]?.argv.length ?? 1;
}

/** The command as it runs (`-v`, `-n`): the launcher, if any, before the tool. */
function commandOf(job: PlannedJob): readonly string[] {
  return job.launcher && job.launcher.length > 0 ? [...job.launcher, ...job.argv] : job.argv;
}

/** The depfiles a plan's jobs write (made once per plan). */
const planDepfiles = new WeakMap<Plan, ReadonlySet<string>>();
function depfilesOf(plan: Plan): ReadonlySet<string> {
  let depfiles = planDepfiles.get(plan);
  if (!depfiles) {
    const set = new Set<string>();
    for (const job of plan.jobs.values()) if (job.depfile) set.add(job.depfile);
    planDepfiles.set(plan, (depfiles = set));
  }
  return depfiles;
}
