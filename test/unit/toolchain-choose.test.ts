import { describe, expect, it } from 'vitest';
import { chooseToolchain, parseVersion, type ToolInfo } from '../../src/toolchain/discover.js';

/** A found tool: `name` at /usr/bin/name with the given version. */
function tool(name: string, version: string | null, realPath = `/usr/bin/${name}`): ToolInfo {
  return {
    name, path: `/usr/bin/${name}`, realPath, version: version ?? 'unknown',
    major: version ? Number(version.split('.')[0]) : null, size: 1000 + name.length, mtime: 1_700_000_000_000,
  };
}

const prefer = (p: 'clang' | 'gcc', extra: { cc?: string; cxx?: string } = {}) => ({ prefer: p, overrides: {}, ...extra });

const LLVM14 = [
  tool('clang', '14.0.6', '/usr/lib/llvm-14/bin/clang'), tool('clang++', '14.0.6', '/usr/lib/llvm-14/bin/clang'),
  tool('llvm-link', '14.0.6'), tool('opt', '14.0.6'), tool('llc', '14.0.6'), tool('llvm-ar', '14.0.6'),
  tool('ld.lld', '14.0.6'), tool('llvm-config', '14.0.6'),
];
const GNU = [tool('gcc', '12.2.0'), tool('g++', '12.2.0'), tool('ar', '2.40')];

describe('chooseToolchain', () => {
  it('prefers clang++ and takes every LLVM tool of its release', () => {
    const tc = chooseToolchain([...GNU, ...LLVM14], prefer('clang'));
    expect(tc.family).toBe('clang');
    expect(tc.llvmMajor).toBe(14);
    expect(tc.tools.cxx).toMatchObject({ name: 'clang++', argv: ['/usr/bin/clang++'] });
    expect(tc.tools.cc).toMatchObject({ name: 'clang', argv: ['/usr/bin/clang'] });
    for (const [role, name] of [['llvm-link', 'llvm-link'], ['opt', 'opt'], ['llc', 'llc'], ['llvm-ar', 'llvm-ar'], ['lld', 'ld.lld'], ['llvm-config', 'llvm-config']] as const) {
      expect(tc.tools[role]?.name, role).toBe(name);
    }
    // binutils ar stays the archiver of the object pipeline
    expect(tc.tools.ar?.name).toBe('ar');
    expect(tc.found).toHaveLength(GNU.length + LLVM14.length);
  });

  it('takes versioned LLVM tools of the same major over unversioned ones of another release', () => {
    const found = [
      tool('clang++', '14.0.6'), tool('clang', '14.0.6'),
      tool('llvm-link', '15.0.7'), tool('llvm-link-14', '14.0.6'),
      tool('opt', '15.0.7'), tool('opt-14', '14.0.6'),
      tool('llc', '15.0.7'), tool('llc-14', '14.0.6'),
      tool('llvm-ar', '15.0.7'), tool('llvm-ar-14', '14.0.6'),
      tool('ld.lld', '15.0.7'), tool('ld.lld-14', '14.0.6'),
    ];
    const tc = chooseToolchain(found, prefer('clang'));
    expect(tc.llvmMajor).toBe(14);
    expect(tc.tools['llvm-link']?.name).toBe('llvm-link-14');
    expect(tc.tools.opt?.name).toBe('opt-14');
    expect(tc.tools.llc?.name).toBe('llc-14');
    expect(tc.tools['llvm-ar']?.name).toBe('llvm-ar-14');
    expect(tc.tools.lld?.name).toBe('ld.lld-14');
    expect(tc.tools['llvm-link']?.argv).toEqual(['/usr/bin/llvm-link-14']);
  });

  it('leaves a role empty rather than mixing releases', () => {
    const found = [tool('clang++', '14.0.6'), tool('clang', '14.0.6'), tool('llvm-link', '15.0.7'), tool('ld.lld', '16.0.0'), tool('opt', '14.0.6')];
    const tc = chooseToolchain(found, prefer('clang'));
    expect(tc.tools['llvm-link']).toBeUndefined();
    expect(tc.tools.lld).toBeUndefined();
    expect(tc.tools.opt?.name).toBe('opt');
    // without binutils ar, llvm-ar (none here) would be the archiver
    expect(tc.tools.ar).toBeUndefined();
  });

  it('uses the highest versioned clang++ when there is no plain one, with its own tools', () => {
    const found = [
      tool('clang++-13', '13.0.1'), tool('clang++-15', '15.0.7'), tool('clang-15', '15.0.7'), tool('clang-13', '13.0.1'),
      tool('llvm-link-13', '13.0.1'), tool('llvm-link-15', '15.0.7'), tool('llvm-ar-15', '15.0.7'),
    ];
    const tc = chooseToolchain(found, prefer('clang'));
    expect(tc.family).toBe('clang');
    expect(tc.llvmMajor).toBe(15);
    expect(tc.tools.cxx?.name).toBe('clang++-15');
    expect(tc.tools.cc?.name).toBe('clang-15');
    expect(tc.tools['llvm-link']?.name).toBe('llvm-link-15');
    // no binutils ar: llvm-ar of the release archives
    expect(tc.tools.ar?.name).toBe('llvm-ar-15');
  });

  it('falls back to g++ and gcc without clang', () => {
    const tc = chooseToolchain(GNU, prefer('clang'));
    expect(tc.family).toBe('gcc');
    expect(tc.llvmMajor).toBeNull();
    expect(tc.tools.cxx?.name).toBe('g++');
    expect(tc.tools.cc?.name).toBe('gcc');
    expect(tc.tools.ar?.name).toBe('ar');
    expect(tc.tools['llvm-link']).toBeUndefined();
    expect(tc.tools.lld).toBeUndefined();
  });

  it('uses g++ and gcc when gcc is preferred, even with clang present', () => {
    const tc = chooseToolchain([...LLVM14, ...GNU], prefer('gcc'));
    expect(tc.family).toBe('gcc');
    expect(tc.llvmMajor).toBeNull();
    expect(tc.tools.cxx?.name).toBe('g++');
    expect(tc.tools.cc?.name).toBe('gcc');
    expect(tc.tools.opt).toBeUndefined();
  });

  it('falls back to versioned g++-N, then to c++/cc', () => {
    const versioned = chooseToolchain([tool('g++-11', '11.4.0'), tool('g++-12', '12.2.0'), tool('gcc-12', '12.2.0')], prefer('gcc'));
    expect(versioned.tools.cxx?.name).toBe('g++-12');
    expect(versioned.tools.cc?.name).toBe('gcc-12');
    const generic = chooseToolchain([tool('c++', '12.2.0'), tool('cc', '12.2.0')], prefer('clang'));
    expect(generic.tools.cxx?.name).toBe('c++');
    expect(generic.tools.cc?.name).toBe('cc');
    expect(generic.family).toBe('gcc');
  });

  it('preferring gcc without gcc still finds clang', () => {
    const tc = chooseToolchain([tool('clang++', '14.0.6'), tool('clang', '14.0.6')], prefer('gcc'));
    expect(tc.tools.cxx?.name).toBe('clang++');
    expect(tc.tools.cc?.name).toBe('clang');
    expect(tc.family).toBe('clang');
    expect(tc.llvmMajor).toBe(14);
  });

  it('a c++ that is really clang is the clang family', () => {
    const tc = chooseToolchain([tool('c++', '14.0.6', '/usr/lib/llvm-14/bin/clang'), tool('cc', '14.0.6', '/usr/lib/llvm-14/bin/clang')], prefer('gcc'));
    expect(tc.family).toBe('clang');
    expect(tc.llvmMajor).toBe(14);
  });

  it('CC and CXX override the compilers; "ccache gcc" keeps both words', () => {
    const ccache = tool('ccache', '4.8');
    const tc = chooseToolchain([...LLVM14, ...GNU, ccache], prefer('clang', { cc: 'ccache gcc', cxx: ' g++ ' }));
    expect(tc.tools.cc).toMatchObject({ name: 'ccache gcc', path: 'ccache', argv: ['ccache', 'gcc'], version: '12.2.0', realPath: '/usr/bin/gcc' });
    expect(tc.tools.cxx).toMatchObject({ name: 'g++', path: 'g++', argv: ['g++'], version: '12.2.0', realPath: '/usr/bin/g++', major: 12 });
    expect(tc.family).toBe('gcc');
    expect(tc.llvmMajor).toBeNull();
  });

  it('an override by path that was not found keeps the command as given', () => {
    const tc = chooseToolchain(GNU, prefer('clang', { cxx: '/opt/cross/bin/aarch64-g++' }));
    expect(tc.tools.cxx).toMatchObject({ name: '/opt/cross/bin/aarch64-g++', path: '/opt/cross/bin/aarch64-g++', realPath: '/opt/cross/bin/aarch64-g++', version: 'unknown', major: null, argv: ['/opt/cross/bin/aarch64-g++'] });
    // CC was not overridden
    expect(tc.tools.cc?.name).toBe('gcc');
  });

  it('an override matching a found path takes that tool’s facts', () => {
    const tc = chooseToolchain([...GNU, ...LLVM14], prefer('gcc', { cxx: '/usr/bin/clang++' }));
    expect(tc.tools.cxx).toMatchObject({ name: '/usr/bin/clang++', version: '14.0.6', argv: ['/usr/bin/clang++'] });
    expect(tc.family).toBe('clang');
  });

  it('finds nothing in an empty list', () => {
    const tc = chooseToolchain([], prefer('clang'));
    expect(tc.tools).toEqual({ cxx: undefined, cc: undefined, ar: undefined });
    expect(tc.family).toBe('gcc');
    expect(tc.llvmMajor).toBeNull();
  });
});

describe('parseVersion', () => {
  it.each([
    ['Debian clang version 14.0.6\nTarget: x86_64-pc-linux-gnu\nThread model: posix\n', '14.0.6'],
    ['Ubuntu clang version 18.1.3 (1ubuntu1)\nTarget: x86_64-pc-linux-gnu\n', '18.1.3'],
    ['clang version 17.0.6\n', '17.0.6'],
    ['Apple clang version 15.0.0 (clang-1500.3.9.4)\nTarget: arm64-apple-darwin23.4.0\n', '15.0.0'],
    ['Homebrew clang version 19.1.7\n', '19.1.7'],
    ['gcc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.\n', '12.2.0'],
    ['g++ (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0\nCopyright (C) 2021 Free Software Foundation, Inc.\n', '11.4.0'],
    ['gcc (GCC) 13.2.1 20231011 (Red Hat 13.2.1-4)\n', '13.2.1'],
    ['Debian LLVM version 14.0.6\n  Optimized build.\n  Default target: x86_64-pc-linux-gnu\n', '14.0.6'],
    ['LLVM (http://llvm.org/):\n  LLVM version 15.0.7\n  Optimized build.\n', '15.0.7'],
    ['Debian LLD 14.0.6 (compatible with GNU linkers)\n', '14.0.6'],
    ['GNU ar (GNU Binutils for Debian) 2.40\nCopyright (C) 2023 Free Software Foundation, Inc.\n', '2.40'],
    ['14.0.6\n', '14.0.6'],
  ])('%j -> %s', (text, version) => {
    expect(parseVersion(text)).toBe(version);
  });

  it('is null without a version on the first line', () => {
    expect(parseVersion('usage: tool [options]\nversion 1.2 somewhere else\n')).toBeNull();
    expect(parseVersion('')).toBeNull();
  });
});

describe('chooseToolchain pairs the C compiler with the C++ one', () => {
  it('plain clang with plain clang++, clang-N with clang++-N', () => {
    const both = [...LLVM14, tool('clang-14', '14.0.6'), tool('clang++-14', '14.0.6')];
    expect(chooseToolchain(both, prefer('clang')).tools.cc?.name).toBe('clang');
    const versionedOnly = [tool('clang-14', '14.0.6'), tool('clang++-14', '14.0.6'), tool('clang', '15.0.7')];
    const tc = chooseToolchain(versionedOnly, prefer('clang'));
    expect(tc.tools.cxx?.name).toBe('clang++-14');
    expect(tc.tools.cc?.name).toBe('clang-14');
  });
});
