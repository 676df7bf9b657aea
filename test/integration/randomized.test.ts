/**
 * Random edits to a generated C project (sources and headers changed, added, removed; flags
 * changed; comment-only edits). After every step the incremental build must (1) run exactly the
 * compiles the edit affects and (2) produce outputs byte-identical to a clean build's.
 * The seed is printed on failure; JMAKE_TEST_SEED reproduces a run.
 */
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createProject, disposeAll, type TestProject } from '../helpers/project.js';
import { build, outputsOf, ran } from '../helpers/build.js';
import { seeded } from '../helpers/random.js';

afterEach(disposeAll);

interface Unit { includes: string[]; value: number; comment: number }

class Model {
  readonly sources = new Map<string, Unit>();
  readonly headers = new Map<string, Unit>();
  define = 0;
  private nextSource = 0;

  constructor(private readonly random: () => number) {
    for (let h = 0; h < 4; h++) this.headers.set(`h${h}`, { includes: h > 0 && random() < 0.5 ? [`h${Math.floor(random() * h)}`] : [], value: h, comment: 0 });
    for (let s = 0; s < 5; s++) this.addSource();
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  addSource(): string {
    const name = `s${this.nextSource++}`;
    const includes = [...this.headers.keys()].filter(() => this.random() < 0.4);
    this.sources.set(name, { includes, value: Math.floor(this.random() * 100), comment: 0 });
    return name;
  }

  /** Sources that include `header`, directly or through other headers. */
  dependents(header: string): string[] {
    const reaches = (h: string): boolean => h === header || this.headers.get(h)!.includes.some(reaches);
    return [...this.sources].filter(([, u]) => u.includes.some(reaches)).map(([s]) => s);
  }

  /** Write what changed, remove what is gone: as an editor or a `git checkout` would. */
  write(root: string): void {
    const files = new Map<string, string>();
    for (const [h, u] of this.headers) {
      const incs = u.includes.map((i) => `#include "${i}.h"\n`).join('');
      files.set(`include/${h}.h`, `#pragma once\n${incs}/* comment ${u.comment} */\n#define VALUE_${h.toUpperCase()} ${u.value}\n`);
    }
    for (const [s, u] of this.sources) {
      const incs = u.includes.map((i) => `#include "${i}.h"\n`).join('');
      const sum = u.includes.map((i) => `VALUE_${i.toUpperCase()}`).join(' + ') || '0';
      files.set(`src/${s}.c`, `${incs}/* comment ${u.comment} */\nint f_${s}(void) { return ${u.value} + ${sum} + FLAGV; }\n`);
    }
    files.set('src/main.c', 'int main(void) { return 0; }\n');
    files.set('jmake.toml', `[project]\nname = "rand"\n\n[compile]\nflags = ["-O1", "-DFLAGV=${this.define}"]\ninclude_dirs = ["include"]\n\n[binary]\nname = "rand"\n`);
    mkdirSync(join(root, 'src'), { recursive: true });
    mkdirSync(join(root, 'include'), { recursive: true });
    for (const dir of ['src', 'include']) {
      for (const name of readdirSync(join(root, dir))) if (!files.has(`${dir}/${name}`)) rmSync(join(root, dir, name));
    }
    for (const [rel, text] of files) {
      let old: string | null = null;
      try { old = readFileSync(join(root, rel), 'utf8'); } catch { /* new file */ }
      if (old !== text) writeFileSync(join(root, rel), text);
    }
  }
}



describe('randomized edits', () => {
  it('incremental builds run exactly the affected compiles and match a clean build byte for byte', async () => {
    const seed = Number(process.env.JMAKE_TEST_SEED ?? 20261129);
    onTestFailed(() => { process.stderr.write(`randomized test seed: ${seed} (JMAKE_TEST_SEED=${seed} reproduces it)\n`); });
    const random = seeded(seed);
    const p = await createProject('hello');
    rmSync(p.path('src'), { recursive: true, force: true });
    const model = new Model(random);
    model.write(p.root);
    expect((await build(p)).ok).toBe(true);

    for (let step = 0; step < 10; step++) {
      const kind = model.pick(['source', 'header', 'add', 'remove', 'flags', 'comment'] as const);
      let expected: string[];
      let description: string;
      if (kind === 'source') {
        const s = model.pick([...model.sources.keys()]);
        model.sources.get(s)!.value++;
        expected = [s];
        description = `change ${s}.c`;
      } else if (kind === 'header' || kind === 'comment') {
        const h = model.pick([...model.headers.keys()]);
        if (kind === 'header') model.headers.get(h)!.value++; else model.headers.get(h)!.comment++;
        expected = model.dependents(h);
        description = `${kind === 'header' ? 'change' : 'comment in'} ${h}.h`;
      } else if (kind === 'add') {
        expected = [model.addSource()];
        description = `add ${expected[0]}.c`;
      } else if (kind === 'remove' && model.sources.size > 1) {
        const s = model.pick([...model.sources.keys()]);
        model.sources.delete(s);
        expected = [];
        description = `remove ${s}.c`;
      } else {
        model.define++;
        expected = [...model.sources.keys(), 'main'];
        description = 'change [compile] flags';
      }
      model.write(p.root);
      const incremental = await build(p);
      expect(incremental.ok, description).toBe(true);
      expect(ran(incremental, 'compile'), `step ${step}: ${description}`).toEqual(expected.map((s) => `build/obj/src/${s}.c.o`).sort());
      const afterIncremental = outputsOf(p, { skipTemp: true }); // the temp folders hold no output

      expect((await p.run(['clean'])).code).toBe(0);
      const clean = await build(p);
      expect(clean.ok).toBe(true);
      expect(outputsOf(p, { skipTemp: true }), `step ${step}: ${description}: incremental outputs differ from a clean build`).toEqual(afterIncremental);
    }
    // Two builds a step (incremental, then clean) on a loaded 2-core box take longer than the default minute.
  }, 180_000);
});
