/** How long a cancelled tool's process group gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;

/** Stop a job: SIGTERM to its whole process group (the compiler's children too), SIGKILL if it lingers. */
export function killProcessGroup(pid: number): void {
  try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
  setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }, KILL_GRACE_MS).unref();
}
