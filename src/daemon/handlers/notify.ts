import { isAbsolute, relative, sep } from 'node:path';
import type { DiagnosticInfo, NotifyResult } from '../../protocol/messages.js';
import type { Handler } from '../server.js';
import { linkedSignal } from '../../util/linked-signal.js';

/**
 * `jmake notify FILE…` (an editor's save hook): hash the saved files now rather than after the
 * watcher's settle window, then build. With `wait`, reply with every diagnostic of the build's
 * jobs, the stored ones of jobs that are up to date included, so an editor's error list shows the
 * project's state and a save that changed nothing does not empty it. The build is not tied to the
 * request: an editor that gives up waiting does not cancel the compiler.
 */
export const notify: Handler<'notify'> = async (params, { daemon }) => {
  const root = daemon.identity.root;
  const inside = new Map<string, string>(); // root-relative -> as the client named it
  const outside: string[] = [];
  for (const path of params.paths) {
    const rel = relative(root, path).split(sep).join('/');
    if (rel === '' || rel.startsWith('../') || rel === '..' || isAbsolute(rel)) outside.push(path);
    else inside.set(rel, path);
  }
  const ignored = [...outside, ...daemon.watcher().hashNow([...inside.keys()]).map((rel) => inside.get(rel)!)];
  const { paths: _paths, wait, ...what } = params;
  if (!wait) {
    daemon.builder.checkConfig(what.env ?? {}); // a broken jmake.toml is said now, not lost in a detached build
    daemon.builder.startDetached(what);
    return { waited: false, ok: true, build: 0, jobsRun: 0, durationMs: 0, diagnostics: [], failed: [], ignored };
  }
  const result = await daemon.builder.build({ ...what, warnings: true, progress: false }, () => undefined, linkedSignal([])); // never cancelled by its client
  const reply: NotifyResult = {
    waited: true,
    ok: result.ok,
    build: result.build,
    jobsRun: result.jobsRun,
    durationMs: result.durationMs,
    diagnostics: unique([...result.diagnostics, ...result.earlierDiagnostics]),
    failed: result.jobs.filter((j) => j.status === 'failed').map((j) => ({ id: j.id, kind: j.kind, log: j.log })),
    ignored,
  };
  return reply;
};

/** A header's warning reaches the list once, not once per source that includes it. */
function unique(diagnostics: readonly DiagnosticInfo[]): DiagnosticInfo[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.severity}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
