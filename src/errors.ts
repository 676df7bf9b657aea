/**
 * Typed errors. Deep code returns or throws a JmakeError with a stable `code`; the CLI maps it to
 * an exit code (1: the operation failed, 2: usage or configuration) and to `{"error": {code, message}}`
 * under --json.
 */
export type ExitCode = 0 | 1 | 2;

export class JmakeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'JmakeError';
  }

  toJSON(): { code: string; message: string; hint?: string } {
    return this.hint ? { code: this.code, message: this.message, hint: this.hint } : { code: this.code, message: this.message };
  }
}

export function notInProject(start: string): JmakeError {
  return new JmakeError(
    'not-in-project',
    `no jmake.toml found in ${start} or any folder above it`,
    2,
    'run jmake inside a project, pass -C/--dir PATH, or create a jmake.toml',
  );
}

/** Narrow an unknown caught value to a message without losing JmakeErrors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isErrno(err: unknown, ...codes: string[]): err is NodeJS.ErrnoException {
  return typeof err === 'object' && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}
