import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

interface LockPackage {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  readonly lockfileVersion: number;
  readonly packages: Record<string, LockPackage>;
};
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
};

describe('node-ipc pin (protestware: only 9.2.1 is known clean)', () => {
  it('locks node_modules/node-ipc at exactly 9.2.1', () => {
    expect(lock.packages).toBeTypeOf('object');
    expect(lock.packages['node_modules/node-ipc']?.version).toBe('9.2.1');
  });

  it('has no other copy of node-ipc at another version', () => {
    const copies = Object.entries(lock.packages).filter(([path]) => path === 'node_modules/node-ipc' || path.endsWith('/node_modules/node-ipc'));
    expect(copies.length).toBeGreaterThan(0);
    for (const [path, entry] of copies) expect(entry.version, path).toBe('9.2.1');
  });

  it('has no package path containing peacenotwar', () => {
    const paths = Object.keys(lock.packages);
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => p.includes('peacenotwar'))).toEqual([]);
  });

  it('has no package depending on peacenotwar', () => {
    for (const [path, entry] of Object.entries(lock.packages)) {
      const deps = { ...entry.dependencies, ...entry.devDependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
      expect(Object.keys(deps).filter((d) => d.includes('peacenotwar')), path).toEqual([]);
    }
  });

  it('package.json pins node-ipc exactly as "9.2.1" (no ^ or ~)', () => {
    expect(pkg.dependencies?.['node-ipc']).toBe('9.2.1');
    expect(pkg.dependencies?.['node-ipc']).toMatch(/^\d+\.\d+\.\d+$/);
    // the lock's root entry agrees with package.json
    expect(lock.packages['']?.dependencies?.['node-ipc']).toBe('9.2.1');
  });
});
