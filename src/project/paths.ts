import { join } from 'node:path';

/** Everything the daemon keeps for one project lives in `<root>/.jmake/`. */
export interface ProjectPaths {
  readonly root: string;
  readonly configFile: string;
  readonly stateDir: string;
  readonly eventLog: string;
  readonly snapshot: string;
  readonly daemonLog: string;
  /** Written by the daemon once it listens: pid, socket path, version, instance. */
  readonly daemonJson: string;
  /**
   * The tools' output files and response files (scheduler/runner.ts). Inside the state dir rather
   * than the OS temp dir, so that what a killed daemon left is removed by the next one at its start.
   */
  readonly jobOutputDir: string;
}

export const STATE_DIR_NAME = '.jmake';

export function projectPaths(root: string): ProjectPaths {
  const stateDir = join(root, STATE_DIR_NAME);
  return {
    root,
    configFile: join(root, 'jmake.toml'),
    stateDir,
    eventLog: join(stateDir, 'events.log'),
    snapshot: join(stateDir, 'snapshot.json'),
    daemonLog: join(stateDir, 'daemon.log'),
    daemonJson: join(stateDir, 'daemon.json'),
    jobOutputDir: join(stateDir, 'job-output'),
  };
}
