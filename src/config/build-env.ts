/**
 * The environment variables that take part in every job key. A module of its own so the lean
 * client (src/cli/fast.ts) can pick them without loading the config schema.
 */
export interface BuildEnv {
  readonly CC?: string | undefined;
  readonly CXX?: string | undefined;
  readonly CFLAGS?: string | undefined;
  readonly CXXFLAGS?: string | undefined;
  readonly LDFLAGS?: string | undefined;
}

export const BUILD_ENV_KEYS = ['CC', 'CXX', 'CFLAGS', 'CXXFLAGS', 'LDFLAGS'] as const;

/** The build variables (CC, CXX, CFLAGS, CXXFLAGS, LDFLAGS) that are set in `env`: part of every job key. */
export function pickEnv(env: BuildEnv | Readonly<Record<string, string | undefined>>): Readonly<Record<string, string>> & BuildEnv {
  const out: Record<string, string> = {};
  for (const key of BUILD_ENV_KEYS) if (env[key]) out[key] = env[key]!;
  return out;
}
