/** Where the compile cache lives when `[cache] dir` is not given: the XDG cache folder of the daemon's user. */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and is ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'jmake');
  return join(env.HOME || homedir(), '.cache', 'jmake');
}
