/** What request handlers may use: the daemon's parts, behind narrow views. */
import type { ProjectPaths } from '../project/paths.js';
import type { ConfigErrorInfo } from '../protocol/messages.js';
import type { ProjectWatcher } from '../watcher/watcher.js';
import type { Logger } from './logger.js';
import type { Builder } from './builder.js';
import type { Completer } from './completer.js';
import type { Recorder } from './recorder.js';

export interface DaemonIdentity {
  readonly pid: number;
  readonly version: string;
  readonly protocol: number;
  readonly instance: string;
  readonly startedAt: number;
  readonly socket: string;
  readonly root: string;
}

export interface DaemonContext {
  readonly identity: DaemonIdentity;
  readonly paths: ProjectPaths;
  readonly recorder: Recorder;
  readonly watcher: () => ProjectWatcher;
  readonly builder: Builder;
  readonly completer: Completer;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly recoveredAtStart: boolean;
  configError(): ConfigErrorInfo | null;
  /** Work in progress on connections other than `exceptPeer`. */
  busy(exceptPeer?: number): boolean;
  /** Stop after the current reply is sent. */
  requestShutdown(reason: string): void;
}
