/**
 * [distributed] through a real distcc: a distccd started by the test on 127.0.0.1 with its own
 * port and log. distcc silently compiles locally when a host fails, so equal outputs prove nothing
 * by themselves: distccd's log must show the compiles (COMPILE_OK).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync } from 'node:fs';
import { execa, execaSync } from 'execa';
import { createProject, disposeAll, type TestProject } from '../helpers/project.js';
import { freePort, startDistccd, type Distccd } from '../helpers/distccd.js';
import { makeHosts, netnsProblem } from '../helpers/netns.js';
import { outputsOf } from '../helpers/build.js';
import { waitFor } from '../helpers/wait.js';

const daemons: Distccd[] = [];
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') for (const d of daemons) process.stderr.write(`\n----- distccd log -----\n${d.log().slice(-4000)}\n-----\n`);
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
  await disposeAll(context);
});

function distccProblem(): string | null {
  try {
    execaSync('distcc', ['--version']);
    execaSync('distccd', ['--version']);
    return null;
  } catch {
    return 'distcc and distccd are not installed (.ci/run installs them)';
  }
}
const problem = distccProblem();
if (problem) console.warn(`skipping the distcc tests: ${problem}`);
const noNetns = problem ?? netnsProblem();
if (noNetns && !problem) console.warn(`skipping the two-host distcc test: ${noNetns}`);

interface Job { id: string; kind: string; status: string; host?: string; fellBack?: string }

/** Every object under build/ with its content hash. */
const objects = (p: TestProject) => new Map([...outputsOf(p)].filter(([path]) => path.endsWith('.o')));

/** A project compiling through distcc to `hosts`, its daemon started with its own DISTCC_DIR. */
async function distributedProject(hosts: readonly string[]): Promise<TestProject> {
  const p = await createProject('multi');
  appendFileSync(p.path('jmake.toml'), `\n[cache]\nenabled = false\n\n[distributed]\nenabled = true\nhosts = ${JSON.stringify(hosts)}\n`);
  mkdirSync(p.path('.distcc'));
  const started = await p.run(['daemon', 'start'], { env: { ...p.env, DISTCC_DIR: p.path('.distcc') } });
  expect(started.code, started.stderr).toBe(0);
  return p;
}

describe('distributed compiles with distcc', () => {
  it.skipIf(problem !== null)('sends every compile to the host and links here; the outputs equal a local build; status counts them', async () => {
    const distccd = await startDistccd();
    daemons.push(distccd);
    const host = `127.0.0.1:${distccd.port}/4`;

    const local = await createProject('multi');
    expect((await local.json(['build', '--no-cache'])).ok).toBe(true);

    const p = await distributedProject([host]);
    const result = await p.json(['build']);
    expect(result.ok).toBe(true);
    const compiles = result.jobs.filter((j: Job) => j.kind === 'compile');
    expect(compiles.length).toBeGreaterThan(3);
    expect(compiles.map((j: Job) => [j.host, j.fellBack ?? null])).toEqual(compiles.map(() => [host, null]));
    expect(result.jobs.filter((j: Job) => j.kind === 'link').every((j: Job) => j.host === undefined)).toBe(true);
    // distccd's own word that it compiled them: one COMPILE_OK per compile, none for the link.
    await waitFor(() => distccd.compilesOk() === compiles.length, { what: `${compiles.length} COMPILE_OK lines in distccd's log` });

    expect(objects(p)).toEqual(objects(local));
    expect((await execa(p.path('build/bin/multi'))).stdout).toBe((await execa(local.path('build/bin/multi'))).stdout);
    const status = await p.json(['status']);
    expect(status.distributed.hosts).toEqual([{ host, slots: 4, jobs: compiles.length, fallbacks: 0 }]);
    expect((await p.run(['status'])).stdout).toContain(`${host}: ${compiles.length} compiles`);
  });

  it.skipIf(problem !== null)('falls back to compiling here when the host fails, and says so', async () => {
    const host = `127.0.0.1:${await freePort()}/2`; // nothing listens there
    const p = await distributedProject([host]);
    const built = await p.run(['build']);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toMatch(/fell back to compiling here: distcc could not use 127\.0\.0\.1:\d+\/2 \(.*(refused|failed).*\)/);
    const status = await p.json(['status']);
    const compiles = status.distributed.hosts[0].fallbacks;
    expect(compiles).toBeGreaterThan(3);
    expect(status.distributed.hosts).toEqual([{ host, slots: 2, jobs: 0, fallbacks: compiles }]);
    expect((await execa(p.path('build/bin/multi'))).exitCode).toBe(0);
  });

  it.skipIf(noNetns !== null)('spreads compiles over two hosts in two network namespaces; each host\'s log shows its share', async () => {
    const { hosts, remove } = await makeHosts(2);
    try {
      const port = await freePort();
      for (const h of hosts) daemons.push(await startDistccd({ netns: h.netns, listen: h.address, allow: h.peer, port }));
      const specs = hosts.map((h) => `${h.address}:${port}/2`);
      const p = await distributedProject(specs);
      const result = await p.json(['build']);
      expect(result.ok).toBe(true);
      const compiles = result.jobs.filter((j: Job) => j.kind === 'compile');
      expect(compiles.every((j: Job) => specs.includes(j.host!) && j.fellBack === undefined)).toBe(true);
      const perHost = specs.map((spec) => compiles.filter((j: Job) => j.host === spec).length);
      expect(perHost.every((n) => n > 0)).toBe(true); // -j 4 (two hosts × 2 slots): both take some
      await waitFor(() => daemons.map((d) => d.compilesOk()).join(',') === perHost.join(','), { what: `COMPILE_OK lines ${perHost.join(' and ')} in the two logs` });
      const status = await p.json(['status']);
      expect(status.distributed.hosts.map((h: { host: string; jobs: number }) => [h.host, h.jobs])).toEqual(specs.map((s, i) => [s, perHost[i]]));
      expect((await execa(p.path('build/bin/multi'))).exitCode).toBe(0);
    } finally {
      await Promise.all(daemons.splice(0).map((d) => d.stop()));
      await remove();
    }
  });
});
