/**
 * One daemon for one project: start-up order, the parts it wires together, and shutdown.
 *
 * Start: lock -> replay history (snapshot + tail, recover a torn tail) -> read jmake.toml ->
 * record daemon-started -> listen on the socket -> write daemon.json -> tell the spawning client
 * -> start the watcher (its initial reconcile runs while requests are already served).
 * Stop (shutdown request, SIGTERM/SIGINT, idle timeout, jmake.toml removed): end open requests
 * with daemon-stopping, close the watcher, record daemon-stopped, fsync, snapshot, close and remove
 * the socket and daemon.json, release the lock.
 */
import { mkdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { DEFAULT_SETTINGS, type DaemonSettings } from '../config/daemon-settings.js';
import { errorMessage } from '../errors.js';
import { listen, type Transport } from '../ipc/transport.js';
import { projectPaths, type ProjectPaths } from '../project/paths.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import { getFile, liveFiles } from '../state/selectors.js';
import { loadHasher, type Hasher } from '../util/hash.js';
import { VERSION } from '../version.js';
import { ignoreRules } from '../watcher/ignore.js';
import type { KnownFile } from '../watcher/reconcile.js';
import { ProjectWatcher } from '../watcher/watcher.js';
import { burstThreshold } from '../watcher/burst.js';
import { OutputWatcher } from '../watcher/output-watcher.js';
import { MemoryGuard } from './memory-guard.js';
import { ConfigMonitor, CONFIG_PATH } from './config-monitor.js';
import type { DaemonContext, DaemonIdentity } from './context.js';
import { removeDaemonFileIfOurs, writeDaemonFile, type DaemonRecordFile } from './daemon-file.js';
import { openHistory } from './history.js';
import { acquireLock, type DaemonLock } from './lock.js';
import { Builder } from './builder.js';
import { Completer } from './completer.js';
import { ProcessRunner } from '../scheduler/runner.js';
import { SpawnerRunner } from '../scheduler/spawner-runner.js';
import { ToolchainManager } from '../toolchain/manager.js';
import { toolVersionsFile } from '../cache/dir.js';
import { PkgConfig } from '../toolchain/pkg-config.js';
import { FileLogger } from './logger.js';
import { collectFully, describeFullCollection } from './full-collection.js';
import { TEMP_FOLDER } from '../graph/plan.js';
import { Recorder } from './recorder.js';
import { RequestServer } from './server.js';
import { watchFileWithInotify } from '../util/file-watch.js';
import { ensureRuntimeDir, lockAddress, projectId, registryPathFor, socketPathFor } from './runtime-dir.js';

export type StartOutcome =
  | { readonly kind: 'started'; readonly daemon: Daemon }
  | { readonly kind: 'lock-held' };

export interface StartOptions {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  /** Overrides the reported version (tests of version replacement). */
  readonly versionOverride?: string | undefined;
}

export class Daemon {
  private watcher!: ProjectWatcher;
  /** How big a burst of watcher events may have overflowed the kernel queue (read once). */
  private readonly burst = burstThreshold(process.env);
  private builder!: Builder;
  private outputWatcher: OutputWatcher | null = null;
  /**
   * Tools start through jmake-spawn, which the daemon talks to directly (one fork, once the daemon is
   * ready); without it, through the spawner process, so the daemon never forks per job.
   */
  private readonly spawner: SpawnerRunner;
  private readonly runner: ProcessRunner;
  private transport!: Transport;
  private server!: RequestServer;
  private idleTimer: NodeJS.Timeout | null = null;
  private memoryGuard: MemoryGuard | null = null;
  /** jmake.toml changed on disk and its events are not recorded yet. */
  private configRefreshPending = false;
  /** Set while an empty jmake.toml waits for the rest of its save (lookAgainAtEmptyConfig). */
  private emptyConfigTimer: NodeJS.Timeout | null = null;
  /** Set when the daemon stops to be replaced by a fresh one (`[daemon] max_memory_mb`). */
  restartRequested = false;
  private stopping: Promise<void> | null = null;
  private readonly stoppedListeners: (() => void)[] = [];

  private constructor(
    readonly identity: DaemonIdentity,
    private readonly paths: ProjectPaths,
    private readonly logger: FileLogger,
    private readonly lock: DaemonLock,
    private readonly recorder: Recorder,
    private readonly hasher: Hasher,
    private config: ConfigMonitor | null,
    private readonly registryPath: string,
    /** The log lost a tail at start: everything is re-hashed rather than trusted by its stat. */
    private readonly recoveredAtStart: boolean,
  ) {
    const log = (message: string) => this.logger.log('job', message);
    this.spawner = new SpawnerRunner(log, paths.jobOutputDir);
    this.runner = new ProcessRunner({ tempDir: paths.jobOutputDir, native: { env: process.env, log, fallback: this.spawner } });
  }

  static async start(options: StartOptions): Promise<StartOutcome> {
    const paths = projectPaths(options.root);
    mkdirSync(paths.stateDir, { recursive: true });
    const id = projectId(options.root);
    // The lock comes first: a loser must not touch the log, the socket or daemon.json.
    const lock = await acquireLock(lockAddress(id));
    if (!lock) return { kind: 'lock-held' };
    // What a daemon killed mid-build left there; only the lock holder runs jobs for this project.
    rmSync(paths.jobOutputDir, { recursive: true, force: true });
    const logger = new FileLogger(paths.daemonLog);
    try {
      const runtimeDir = ensureRuntimeDir(options.env);
      const socket = socketPathFor(runtimeDir, id);
      const hasher = await loadHasher();
      const history = openHistory(paths, Date.now, logger);
      logger.log('log', `replayed ${history.replayed} records${history.fromSnapshot ? ' after the snapshot' : ''} to seq ${history.state.lastSeq} in ${history.durationMs.toFixed(1)}ms`);
      const identity: DaemonIdentity = {
        pid: process.pid,
        version: options.versionOverride ?? VERSION,
        protocol: PROTOCOL_VERSION,
        instance: randomBytes(8).toString('hex'),
        startedAt: Date.now(),
        socket,
        root: options.root,
      };
      let daemon: Daemon | null = null;
      const recorder: Recorder = new Recorder(history.log, history.state, {
        snapshotPath: paths.snapshot, keepRecent: (): number => (daemon?.settings ?? DEFAULT_SETTINGS).keepRecentEvents, clock: Date.now, logger, logRecords: history.logRecords,
      });
      if (history.recovery) {
        const { offset, truncatedBytes, reason, savedTo } = history.recovery;
        logger.log('log', `recovering: cut ${truncatedBytes} bytes at offset ${offset} (${reason}); saved to ${savedTo ?? 'nowhere'}`);
        recorder.record([{ type: 'log-recovered', data: { offset, truncatedBytes, reason } }], { durable: true });
      }
      recorder.record([{ type: 'daemon-started', data: { pid: identity.pid, instance: identity.instance, version: identity.version, protocol: PROTOCOL_VERSION } }]);
      daemon = new Daemon(identity, paths, logger, lock, recorder, hasher, null, registryPathFor(runtimeDir, id), history.recovery !== null);
      await daemon.run();
      return { kind: 'started', daemon };
    } catch (err) {
      logger.log('daemon', `start failed: ${(err as Error).stack ?? String(err)}`);
      await lock.release();
      throw err;
    }
  }

  private async run(): Promise<void> {
    this.config = new ConfigMonitor(this.paths.configFile, this.hasher, this.recorder, this.logger, (before, after) => this.applySettings(before, after));
    this.config.refresh(true);
    const hashText = (text: string) => this.hasher.hashBytes(Buffer.from(text));
    this.builder = new Builder({
      root: this.identity.root,
      recorder: this.recorder,
      watcher: () => this.watcher,
      hasher: this.hasher,
      runner: this.runner,
      toolchains: new ToolchainManager(hashText, toolVersionsFile(process.env), watchFileWithInotify),
      pkgConfig: new PkgConfig(),
      logger: this.logger,
      configText: () => this.config?.text ?? '',
      settleConfig: () => this.refreshConfigNow(),
      env: process.env,
      buildOnChange: () => this.settings.buildOnChange,
    });
    const completer = new Completer({ root: this.identity.root, recorder: this.recorder, builder: this.builder, watcher: () => this.watcher, logger: this.logger });
    const context: DaemonContext = {
      identity: this.identity,
      paths: this.paths,
      recorder: this.recorder,
      watcher: () => this.watcher,
      builder: this.builder,
      completer,
      logger: this.logger,
      clock: Date.now,
      recoveredAtStart: this.recoveredAtStart,
      configError: () => this.config?.error ?? null,
      busy: (except) => this.server.busy(except) || this.builder.busy,
      requestShutdown: (reason) => { setImmediate(() => void this.stop(reason)); },
    };
    this.server = new RequestServer(context, (connections) => this.onActivity(connections));
    // Only the lock holder gets here, so a socket file left by a dead daemon is safe to remove.
    try { unlinkSync(this.identity.socket); } catch { /* none */ }
    this.transport = await listen(this.identity.socket, this.server);
    const record: DaemonRecordFile = { ...this.identity };
    writeDaemonFile(this.paths.daemonJson, record);
    writeDaemonFile(this.registryPath, record);
    this.logger.log('daemon', `jmake ${this.identity.version} pid ${this.identity.pid} listening on ${this.identity.socket} for ${this.identity.root} (node ${process.version} ${process.execArgv.join(' ')})`);
    this.recorder.subscribe((events) => {
      for (const event of events) {
        if ((event.type === 'file-changed' || event.type === 'file-added') && event.data.path === CONFIG_PATH) {
          // Not from inside this subscriber (it would record while recording); a build that syncs
          // meanwhile applies it first (settleConfig), so it never plans with the old config.
          this.configRefreshPending = true;
          setImmediate(() => this.refreshConfigNow());
        } else if (event.type === 'file-removed' && event.data.path === CONFIG_PATH) {
          setImmediate(() => void this.stop('jmake.toml was removed'));
        }
      }
    });
    this.startWatcher(this.recoveredAtStart, 'startup');
    this.runner.warm();
    this.onActivity(0);
    this.memoryGuard = new MemoryGuard({
      limitMb: () => this.settings.maxMemoryMb,
      rssMb: () => residentMb(process.env),
      busy: () => this.builder.busy || this.server.busy(),
      restart: (reason) => {
        this.logger.log('daemon', `restarting: ${reason}`);
        this.restartRequested = true;
        void this.stop(`restart: ${reason}`);
      },
      log: (message) => this.logger.log('daemon', message),
      collect: () => this.collectGarbage('over max_memory_mb'),
    }, memoryCheckMs(process.env));
    this.memoryGuard.start();
  }

  private refreshConfigNow(): void {
    if (!this.configRefreshPending) return;
    this.configRefreshPending = false;
    try {
      if (this.config?.refresh(false) === 'deferred') this.lookAgainAtEmptyConfig();
    } catch (err) {
      this.logger.log('config', `cannot record the config change: ${errorMessage(err)}`);
    }
  }

  /** jmake.toml read empty mid-save (ConfigMonitor.refresh): still empty after the grace period, it is meant. */
  private lookAgainAtEmptyConfig(): void {
    if (this.emptyConfigTimer) clearTimeout(this.emptyConfigTimer);
    this.emptyConfigTimer = setTimeout(() => {
      this.emptyConfigTimer = null;
      if (this.stopping) return;
      try {
        this.config?.refresh(false, { acceptEmpty: true });
      } catch (err) {
        this.logger.log('config', `cannot record the config change: ${errorMessage(err)}`);
      }
    }, emptyConfigGraceMs(process.env));
    this.emptyConfigTimer.unref();
  }

  get settings(): DaemonSettings {
    return this.config?.settings ?? DEFAULT_SETTINGS;
  }

  private startWatcher(rehashAll: boolean, reason: string, settings: DaemonSettings = this.settings): void {
    this.watcher = new ProjectWatcher({
      root: this.identity.root,
      rules: ignoreRules(settings),
      scope: settings.watchScope,
      settleMs: settings.settleMs,
      pollIntervalMs: settings.pollIntervalMs,
      hasher: this.hasher,
      rehashAll,
      reason,
      known: (path) => getFile(this.recorder.state, path) as KnownFile | undefined,
      knownFiles: () => liveFiles(this.recorder.state) as Iterable<[string, KnownFile]>,
      record: (events) => { this.recorder.record(events); },
      burst: this.burst,
      overflowed: () => this.restartWatcher('overflow'),
      log: (tag, message) => this.logger.log(tag, message),
    });
    this.watcher.start();
    this.outputWatcher?.close();
    this.outputWatcher = new OutputWatcher(this.identity.root, settings.outputDirs, {
      touched: (path) => this.builder.outputTouched(path),
      lost: (reason) => this.builder.outputsUnwatched(reason),
    }, new Set([TEMP_FOLDER]));
    this.outputWatcher.start();
  }

  private applySettings(before: DaemonSettings, after: DaemonSettings): void {
    if (before.idleTimeoutMs !== after.idleTimeoutMs) this.onActivity(this.server?.connections ?? 0);
    const rulesChanged = JSON.stringify([before.outputDirs, before.watchExclude, before.watchScope, before.settleMs, before.pollIntervalMs])
      !== JSON.stringify([after.outputDirs, after.watchExclude, after.watchScope, after.settleMs, after.pollIntervalMs]);
    if (rulesChanged) {
      this.logger.log('watcher', 'watch settings changed: restarting the watcher');
      this.restartWatcher('config', after); // called before `after` is in force
    }
  }

  /** A new watcher walks the tree again and reconciles it with the state (`watcher-rescan` with this reason). */
  private restartWatcher(reason: string, settings: DaemonSettings = this.settings): void {
    const old = this.watcher;
    if (!old || this.stopping) return;
    // The new one first: a build that asks for the watcher meanwhile waits for its scan, never for
    // the closing one (builder.syncWatcher).
    this.startWatcher(false, reason, settings);
    void old.close();
  }

  /** The idle clock runs only while no client is connected. */
  private onActivity(connections: number): void {
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null; }
    const ms = this.settings.idleTimeoutMs;
    if (connections > 0 || this.stopping || ms === 0) return;
    this.idleTimer = setTimeout(() => void this.stop(`idle for ${ms}ms`), ms);
  }

  stop(reason: string): Promise<void> {
    this.stopping ??= this.shutdown(reason).finally(() => { for (const listener of this.stoppedListeners) listener(); });
    return this.stopping;
  }

  /** A full garbage collection, logged with the memory before and after (SIGUSR2; the memory guard). */
  collectGarbage(reason: string): void {
    const collection = collectFully(reason);
    this.logger.log('daemon', collection ? describeFullCollection(collection) : `no full collection (${reason}): the daemon was started without --expose-gc`);
  }

  onStopped(listener: () => void): void {
    this.stoppedListeners.push(listener);
  }

  private async shutdown(reason: string): Promise<void> {
    this.logger.log('daemon', `stopping: ${reason}`);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.emptyConfigTimer) clearTimeout(this.emptyConfigTimer);
    this.memoryGuard?.stop();
    this.server?.stopAll();
    this.builder?.close();
    this.outputWatcher?.close();
    try {
      await this.watcher?.close();
    } catch (err) {
      this.logger.log('watcher', `close failed: ${errorMessage(err)}`);
    }
    try {
      this.recorder.record([{ type: 'daemon-stopped', data: { pid: this.identity.pid, instance: this.identity.instance, reason } }], { durable: true });
      this.recorder.close();
    } catch (err) {
      this.logger.log('log', `closing the log failed: ${errorMessage(err)}`);
    }
    // Let the replies to the shutdown request and to ended subscriptions go out first.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await this.transport?.close();
    try { unlinkSync(this.identity.socket); } catch { /* gone */ }
    removeDaemonFileIfOurs(this.paths.daemonJson, this.identity.instance);
    removeDaemonFileIfOurs(this.registryPath, this.identity.instance);
    await this.runner.close();
    this.spawner.close();
    this.logger.log('daemon', 'stopped');
    await this.lock.release();
    this.logger.close();
  }
}

/**
 * How long an empty jmake.toml that had content is given to get its content back before it is
 * taken as meant: an editor saving in place truncates and writes within a few ms, more under load
 * (JMAKE_EMPTY_CONFIG_GRACE_MS: tests, whose writes may lag on a loaded machine).
 */
function emptyConfigGraceMs(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.JMAKE_EMPTY_CONFIG_GRACE_MS);
  return Number.isFinite(ms) && ms >= 10 ? ms : 250;
}

/** How often `[daemon] max_memory_mb` is checked (JMAKE_MEMORY_CHECK_MS: tests). */
function memoryCheckMs(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.JMAKE_MEMORY_CHECK_MS);
  return Number.isFinite(ms) && ms >= 10 ? ms : 10_000;
}

/** Resident memory in MiB; JMAKE_TEST_RSS_FILE names a file holding a figure to use instead (tests). */
function residentMb(env: NodeJS.ProcessEnv): number {
  if (env.JMAKE_TEST_RSS_FILE) {
    try {
      return Number(readFileSync(env.JMAKE_TEST_RSS_FILE, 'utf8'));
    } catch { /* no figure yet: the real one */ }
  }
  return process.memoryUsage.rss() / (1 << 20);
}
