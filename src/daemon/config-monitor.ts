/**
 * Keeps the daemon's view of jmake.toml current: reads it at start and whenever the watcher
 * records a change to it, and records `config-loaded`, `config-changed` (with the changed keys)
 * or `config-invalid` (with line and column). The last good config stays in force while the file
 * does not parse.
 */
import { readConfig, changedKeys, type ConfigRead } from '../config/load.js';
import { daemonSettings, type DaemonSettings } from '../config/daemon-settings.js';
import type { ConfigErrorInfo } from '../protocol/messages.js';
import type { ProjectState } from '../state/state.js';
import type { Hasher } from '../util/hash.js';
import type { Logger } from './logger.js';
import type { Recorder } from './recorder.js';

export const CONFIG_PATH = 'jmake.toml';

export class ConfigMonitor {
  private _settings: DaemonSettings;
  private _error: ConfigErrorInfo | null = null;
  private _text = '';

  constructor(
    private readonly configFile: string,
    private readonly hasher: Hasher,
    private readonly recorder: Recorder,
    private readonly logger: Logger,
    private readonly onSettingsChanged: (before: DaemonSettings, after: DaemonSettings) => void,
  ) {
    this._settings = this.settingsOf(recorder.state);
  }

  get settings(): DaemonSettings { return this._settings; }
  get error(): ConfigErrorInfo | null { return this._error; }
  /** The text of the last jmake.toml that parsed (to name lines in messages). */
  get text(): string { return this._text; }

  /**
   * Read the file and record what changed. `atStart`: the first look of this daemon.
   * 'deferred': the file read empty right after having content, which is what an editor that
   * saves in place (truncate, then write) shows for a moment; an empty jmake.toml is a valid
   * config of all defaults, and taking it would plan, and refresh compile_commands.json, for a
   * project that is not there. Nothing is recorded: the caller looks again after a grace period
   * (`acceptEmpty`), when an empty file is taken as meant.
   */
  refresh(atStart: boolean, options: { acceptEmpty?: boolean } = {}): 'done' | 'deferred' {
    const read: ConfigRead = readConfig(this.configFile, this.hasher);
    const known = this.recorder.state.config;
    if (read.ok && !atStart && options.acceptEmpty !== true && read.text.trim() === '' && this._text.trim() !== '') {
      this.logger.log('config', `${this.configFile} reads empty right after having content: waiting for the rest of the save`);
      return 'deferred';
    }
    if (!read.ok) {
      this._error = { file: this.configFile, ...read.error };
      if (known.hash !== read.hash || known.error === null) {
        this.recorder.record([{ type: 'config-invalid', data: { hash: read.hash, error: read.error } }], { durable: true });
      }
      this.logger.log('config', `${this.configFile}:${read.error.line}:${read.error.column}: ${read.error.message}`);
      return 'done';
    }
    this._error = null;
    this._text = read.text;
    if (known.hash === read.hash && known.error === null && known.values !== null) return 'done';
    const changed = changedKeys(known.values, read.values);
    const type = atStart || known.values === null ? 'config-loaded' : 'config-changed';
    this.recorder.record([{ type, data: { hash: read.hash, config: read.values, changed } }], { durable: true });
    this.logger.log('config', `${type}: ${changed.length} keys changed${changed.length ? ` (${changed.slice(0, 8).join(', ')})` : ''}`);
    const before = this._settings;
    this._settings = this.settingsOf(this.recorder.state);
    this.onSettingsChanged(before, this._settings);
    return 'done';
  }

  private settingsOf(state: ProjectState): DaemonSettings {
    const { settings, warnings } = daemonSettings(state.config.values);
    for (const warning of warnings) this.logger.log('config', warning);
    return settings;
  }
}
