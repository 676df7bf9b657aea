/**
 * Where jmake keeps what outlives a daemon, per user: the compile cache and the tool versions.
 * `[cache] dir` (jmake.toml) comes first for the compile cache, then JMAKE_CACHE_DIR, then the XDG
 * cache folder of the daemon's user.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** `$XDG_CACHE_HOME/jmake`, else `~/.cache/jmake`. */
export function userCacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and is ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'jmake');
  return join(env.HOME || homedir(), '.cache', 'jmake');
}

/** The compile cache when jmake.toml does not say: JMAKE_CACHE_DIR, else the user's cache folder. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const own = env.JMAKE_CACHE_DIR;
  return own && isAbsolute(own) ? own : userCacheDir(env);
}

/** What each tool's `--version` said (toolchain/version-store.ts). */
export function toolVersionsFile(env: NodeJS.ProcessEnv): string {
  return join(userCacheDir(env), 'tool-versions-v1.json');
}
