/**
 * The compile cache with real compiles: restored after `jmake clean` and in another checkout,
 * bypassed by --no-cache, safe when corrupt, shared by two daemons building at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createProject, disposeAll, type TestProject } from '../helpers/project.js';
import { outputsOf } from '../helpers/build.js';
import { filesEndingWith } from '../helpers/files.js';

afterEach(disposeAll);

const sharedDirs: string[] = [];
afterEach(() => { for (const d of sharedDirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

interface Job { id: string; kind: string; status: string }

/** A project whose [cache] dir is `cacheDir` (shared with other projects of the test). */
async function projectWithCache(cacheDir: string, fixture = 'multi'): Promise<TestProject> {
  const p = await createProject(fixture);
  appendFileSync(p.path('jmake.toml'), `\n[cache]\ndir = "${cacheDir}"\n`);
  return p;
}

function sharedCacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jmake-shared-cache-'));
  sharedDirs.push(dir);
  return dir;
}

function statuses(jobs: readonly Job[], kind = 'compile'): string[] {
  return [...new Set(jobs.filter((j) => j.kind === kind).map((j) => j.status))];
}

/** Every object under build/ with its content hash. */
const objects = (p: TestProject) => new Map([...outputsOf(p)].filter(([path]) => path.endsWith('.o')));

async function runProgram(p: TestProject): Promise<string> {
  return (await execa(p.path('build/bin/multi'))).stdout;
}

describe('the compile cache', () => {
  it('restores every compile after jmake clean, byte for byte, and relinks', async () => {
    const p = await projectWithCache(sharedCacheDir());
    const first = await p.json(['build']);
    expect(first.ok).toBe(true);
    const compiles = first.jobs.filter((j: Job) => j.kind === 'compile').length;
    expect(compiles).toBeGreaterThan(3);
    const built = objects(p);
    const output = await runProgram(p);

    expect((await p.run(['clean'])).code).toBe(0);
    const again = await p.json(['build']);
    expect(again.ok).toBe(true);
    expect(statuses(again.jobs)).toEqual(['cached']);
    expect(again.jobsRun).toBe(again.jobs.length - compiles); // the link ran, the compiles did not
    expect(objects(p)).toEqual(built);
    expect(await runProgram(p)).toBe(output);

    const stats = await p.json(['cache', 'stats']);
    expect(stats).toMatchObject({ enabled: true, entries: compiles, hits: compiles, stored: compiles });
    expect((await p.run(['build'])).stdout).toMatch(/no work to do/);
  });

  it('serves another checkout of the same sources, and shows the warnings stored with a result', async () => {
    const cacheDir = sharedCacheDir();
    const a = await projectWithCache(cacheDir);
    writeFileSync(a.path('src/util/math.c'), `${readFileSync(a.path('src/util/math.c'), 'utf8')}\nstatic int unused_helper(void) { return 1; }\n`);
    const first = await a.json(['build']);
    expect(first.diagnostics.some((d: { severity: string; file: string }) => d.severity === 'warning' && d.file === 'src/util/math.c')).toBe(true);

    const b = await projectWithCache(cacheDir);
    writeFileSync(b.path('src/util/math.c'), readFileSync(a.path('src/util/math.c')));
    const second = await b.json(['build']);
    expect(second.ok).toBe(true);
    expect(statuses(second.jobs)).toEqual(['cached']);
    expect(objects(b)).toEqual(objects(a));
    expect(await runProgram(b)).toBe(await runProgram(a));
    // The warning comes back with the cached result, with this checkout's paths.
    expect(second.diagnostics.filter((d: { severity: string }) => d.severity === 'warning').map((d: { file: string }) => d.file)).toEqual(['src/util/math.c']);
  });

  it('is bypassed by --no-cache, used by --force, and missed after a flags change or a header edit', async () => {
    const p = await projectWithCache(sharedCacheDir());
    const noCache = await p.json(['build', '--no-cache']);
    expect(statuses(noCache.jobs)).toEqual(['succeeded']);
    expect((await p.json(['cache', 'stats'])).entries).toBe(0); // --no-cache does not fill it either

    await p.run(['build', '--force']); // fills it
    const forced = await p.json(['build', '--force']);
    expect(statuses(forced.jobs)).toEqual(['cached']);

    // A header edit: its dependents miss (compile), the others are up to date; the revert hits.
    const header = p.path('include/util/math.h');
    const original = readFileSync(header, 'utf8');
    writeFileSync(header, `${original}\n#define JMAKE_CACHE_TEST 1\n`);
    const edited = await p.json(['build']);
    const dependents = edited.jobs.filter((j: Job) => j.kind === 'compile');
    expect(dependents.length).toBeGreaterThan(0);
    expect(statuses(edited.jobs)).toEqual(['succeeded']);
    writeFileSync(header, original);
    const reverted = await p.json(['build']);
    expect(reverted.jobs.filter((j: Job) => j.kind === 'compile').map((j: Job) => [j.id, j.status]).sort())
      .toEqual(dependents.map((j: Job) => [j.id, 'cached']).sort());

    // Other flags: another key, so every compile runs.
    appendFileSync(p.path('jmake.toml'), '\n[profile.release]\nflags = ["-O1"]\n');
    const release = await p.json(['build', '--profile', 'release']);
    expect(statuses(release.jobs)).toEqual(['succeeded']);
  });

  it('detects a corrupt entry, compiles that source instead, and stores a good entry again', async () => {
    const cacheDir = sharedCacheDir();
    const p = await projectWithCache(cacheDir);
    await p.json(['build']);
    const built = objects(p);
    const stored = filesEndingWith(cacheDir, '.o');
    const victim = stored[0]!;
    const bytes = readFileSync(victim);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    writeFileSync(victim, bytes);

    await p.run(['clean']);
    const again = await p.json(['build']);
    expect(again.ok).toBe(true);
    const compiled = again.jobs.filter((j: Job) => j.kind === 'compile' && j.status === 'succeeded');
    expect(compiled).toHaveLength(1);
    expect(objects(p)).toEqual(built);
    expect(p.daemonLog()).toMatch(/is corrupt/);
    expect(filesEndingWith(cacheDir, '.o').map((f) => statSync(f).size).sort()).toEqual(stored.map((f) => statSync(f).size).sort());
  });

  it('is safe for two daemons building at once, and the result serves a third checkout', async () => {
    const cacheDir = sharedCacheDir();
    const [a, b] = await Promise.all([projectWithCache(cacheDir), projectWithCache(cacheDir)]);
    const [ra, rb] = await Promise.all([a.json(['build']), b.json(['build'])]);
    expect(ra.ok && rb.ok).toBe(true);
    expect(objects(b)).toEqual(objects(a));
    const c = await projectWithCache(cacheDir);
    const rc = await c.json(['build']);
    expect(statuses(rc.jobs)).toEqual(['cached']);
    expect(objects(c)).toEqual(objects(a));
    expect(await runProgram(c)).toBe(await runProgram(a));

    const cleaned = await c.json(['cache', 'clean']);
    expect(cleaned.entries).toBeGreaterThan(0);
    expect((await c.json(['cache', 'stats'])).entries).toBe(0);
  });
});
