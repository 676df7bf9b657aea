import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { resolveBuildConfig } from '../../src/config/build-config.js';
import { DEFAULT_SETTINGS, daemonSettings, parseDuration } from '../../src/config/daemon-settings.js';
import { parseConfig } from '../../src/config/load.js';
import { EXAMPLE_CONFIG, configDoc, tomlLiteral } from '../../src/config/schema-doc.js';
import { ROOT_KEYS, TABLES, keySpec, rootNames, tableHeader, tableSpec, typeLabel, type KeySpec } from '../../src/config/schema.js';
import { validateConfig } from '../../src/config/validate.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

function spec(table: string, key: string): KeySpec {
  const found = keySpec(tableSpec(table)!, key);
  if (!found) throw new Error(`no key ${table}.${key} in the schema`);
  return found;
}

function defaultValue(table: string, key: string): unknown {
  const d = spec(table, key).default;
  if (d.kind !== 'value') throw new Error(`${table}.${key} has no literal default`);
  return d.value;
}

describe('docs/config.md', () => {
  it('is exactly what the schema generates (run `npm run docs:config` after changing the schema)', () => {
    const onDisk = readFileSync(join(REPO_ROOT, 'docs', 'config.md'), 'utf8');
    expect(onDisk).toBe(configDoc());
  });

  it('has a section for every table and a row for every key', () => {
    const doc = configDoc();
    for (const table of TABLES) {
      expect(doc).toContain(`## \`${tableHeader(table)}\``);
      for (const key of table.keys) expect(doc).toContain(`| \`${key.name}\` | ${typeLabel(key.type)} |`);
    }
  });

  it('its example validates without findings', () => {
    expect(validateConfig(EXAMPLE_CONFIG, 'jmake.toml', '/project', () => true)).toEqual([]);
  });

  it('writes defaults as TOML', () => {
    expect(tomlLiteral(['a', 'b'])).toBe('["a", "b"]');
    expect(tomlLiteral({})).toBe('{}');
    expect(tomlLiteral({ A: 1, B: true })).toBe('{ A = 1, B = true }');
    expect(tomlLiteral('5 GiB')).toBe('"5 GiB"');
  });
});

describe('the schema', () => {
  it('names each table and each key of a table once', () => {
    const names = rootNames();
    expect(new Set(names).size).toBe(names.length);
    for (const table of TABLES) {
      const keys = table.keys.map((k) => k.name);
      expect(new Set(keys).size, table.name).toBe(keys.length);
    }
  });

  it('gives every key a one-sentence meaning', () => {
    for (const key of [...ROOT_KEYS, ...TABLES.flatMap((t) => t.keys)]) {
      expect(key.meaning, key.name).toMatch(/^[A-Z`].*\.$/);
    }
  });

  it('describes the tables the issues ask for, the unimplemented ones as reserved', () => {
    expect(rootNames()).toEqual(['version', 'project', 'discovery', 'compile', 'link', 'binary', 'targets', 'profile', 'llvm', 'cache', 'daemon', 'distributed', 'jobs']);
    expect(TABLES.filter((t) => t.reserved).map((t) => t.name)).toEqual([]);
    expect(tableSpec('jobs')!.keys.map((k) => k.name)).toEqual(['id', 'run', 'depends_on', 'priority', 'inputs', 'outputs', 'env', 'cwd', 'timeout', 'retries', 'retry_on']);
    expect(defaultValue('cache', 'max_size')).toBe('5 GiB');
  });

  it('marks output paths and input paths by role', () => {
    expect(spec('compile', 'output_dir').type).toEqual({ kind: 'path', role: 'output' });
    expect(spec('profile', 'output_dir').type).toEqual({ kind: 'path', role: 'output' });
    expect(spec('jobs', 'outputs').type).toEqual({ kind: 'list', item: { kind: 'path', role: 'output' } });
    expect(spec('llvm', 'root').type).toEqual({ kind: 'path', role: 'input' });
    for (const [table, key] of [['compile', 'include_dirs'], ['compile', 'lib_dirs'], ['targets', 'include_dirs'], ['binary', 'lib_dirs'], ['discovery', 'files']] as const) {
      expect(spec(table, key).type, `${table}.${key}`).toEqual({ kind: 'list', item: { kind: 'path', role: 'input' } });
    }
  });
});

describe('schema defaults agree with what the code does', () => {
  const empty = resolveBuildConfig({}, '', {}, 'proj').config;

  it('build keys', () => {
    expect(defaultValue('compile', 'output_dir')).toBe(empty.compile.outputDir);
    expect(defaultValue('compile', 'pipeline')).toBe(empty.compile.pipeline);
    expect(defaultValue('link', 'opt_level')).toBe(empty.link.optLevel);
    expect(defaultValue('llvm', 'prefer')).toBe(empty.llvm.prefer);
    expect(defaultValue('discovery', 'include')).toEqual(empty.discovery.include);
    expect(defaultValue('binary', 'type')).toBe(empty.targets[0]!.type);
  });

  it('[daemon] keys', () => {
    expect(parseDuration(defaultValue('daemon', 'idle_timeout'))).toBe(DEFAULT_SETTINGS.idleTimeoutMs);
    expect(parseDuration(defaultValue('daemon', 'poll_interval'))).toBe(DEFAULT_SETTINGS.pollIntervalMs);
    expect(defaultValue('daemon', 'settle_ms')).toBe(DEFAULT_SETTINGS.settleMs);
    expect(defaultValue('daemon', 'keep_recent_events')).toBe(DEFAULT_SETTINGS.keepRecentEvents);
    expect(defaultValue('daemon', 'build_on_change')).toBe(DEFAULT_SETTINGS.buildOnChange);
  });

  it('[daemon] limits: validate rejects exactly what the daemon falls back from', () => {
    const values: Record<string, unknown[]> = {
      settle_ms: [0, 5000, 5001, -1, 1.5, '50'],
      keep_recent_events: [0, 1e9, 1e9 + 1, -3],
      poll_interval: ['100ms', '99ms', 0.1, 0.05, '2s', 'soon'],
      idle_timeout: [0, '3h', '596h', '597h', -1, '10 minutes'],
      build_on_change: [true, false, 'yes', 1],
    };
    for (const [key, samples] of Object.entries(values)) {
      for (const value of samples) {
        const daemonRejects = daemonSettings({ daemon: { [key]: value } }).warnings.length > 0;
        const text = `[daemon]\n${key} = ${JSON.stringify(value)}\n`;
        const validateRejects = validateConfig(text, 'jmake.toml', '/p', () => true).some((f) => f.severity === 'error');
        expect(validateRejects, `${key} = ${JSON.stringify(value)}`).toBe(daemonRejects);
      }
    }
  });

  it('validate rejects every value the build rejects, for every key the build reads', () => {
    const samples: unknown[] = ['', ' ', 'x', 'build', '../x', '/abs', 'a/../b', 'O3', '9', 'object', 'static', 'clang', '3h', 'my app', '.', 0, 3, -1, 1.5, true, false,
      [], ['a'], [''], ['a', 3], [1], {}, { A: 1 }, { '1x': 1 }, { A: [1] }, { A: '' }];
    const missed: string[] = [];
    for (const table of TABLES.filter((t) => !t.reserved)) {
      for (const key of table.keys.filter((k) => !k.reserved)) {
        for (const value of samples) {
          const entry = { [key.name]: value };
          const doc = table.form === 'array' ? { [table.name]: [{ name: 'n', ...entry }] } : table.form === 'named' ? { [table.name]: { p: entry } } : { [table.name]: entry };
          const text = stringify(doc);
          const parsed = parseConfig(Buffer.from(text), 'h');
          if (!parsed.ok) throw new Error(parsed.error.message);
          const buildRejects = resolveBuildConfig(parsed.values, text, {}, 'p').issues.some((i) => i.severity === 'error');
          const validateRejects = validateConfig(text, 'jmake.toml', '/p', () => true).some((f) => f.severity === 'error');
          if (buildRejects && !validateRejects) missed.push(`${table.name}.${key.name} = ${JSON.stringify(value)}`);
        }
      }
    }
    expect(missed).toEqual([]);
  });

  it('every known key is accepted by the build config without an unknown-key warning, and the reserved tables too', () => {
    const text = [
      'version = 1',
      '[project]', 'name = "p"', 'root = "."', 'version = "1.0"', 'description = "d"',
      '[discovery]', 'enabled = true',
      '[compile]', 'enabled = true', 'compdb = true',
      '[link]', 'enabled = true',
      '[binary]', 'enabled = true',
      '[llvm]', 'use_jmake_llvm = false',
      '[cache]', 'enabled = true', 'max_size = "1 GiB"',
      '[distributed]', 'hosts = ["build1/8"]',
      '[[jobs]]', 'id = "gen"', 'run = ["true"]',
      '',
    ].join('\n');
    const parsed = parseConfig(Buffer.from(text), 'h');
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(resolveBuildConfig(parsed.values, text, {}, 'p').issues).toEqual([]);
    expect(validateConfig(text, 'jmake.toml', '/p', () => true)).toEqual([]);
  });
});
