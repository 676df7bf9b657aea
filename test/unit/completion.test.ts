import { describe, expect, it } from 'vitest';
import { additionsFor, includeDirsFor, missingFields, projectNameFrom, quotedIncludes, schemaDefault, sourceGlobs } from '../../src/config/completion.js';
import { keySpec, tableSpec } from '../../src/config/schema.js';

describe('missingFields', () => {
  it('lists missing and empty fields, and the jobs that find them with create_structure always', () => {
    expect(missingFields({}, false)).toEqual({
      fields: ['project.name', 'project.root', 'discovery.include', 'compile.include_dirs', 'compile.output_dir', 'llvm.tools', 'binary.type', 'binary.name'],
      jobs: ['scan_files', 'include_dirs', 'discover_tools', 'create_structure'],
    });
    expect(missingFields({ project: { name: 'a', root: '.' }, discovery: { files: [] }, compile: { include_dirs: ['inc'], output_dir: 'out' }, llvm: { tools: { cc: 'cc' } }, binary: { type: 'shared', name: 'x' } }, true))
      .toEqual({ fields: ['discovery.files'], jobs: ['scan_files', 'create_structure'] });
  });

  it('leaves the sources and [binary] alone when [[targets]] describe the artifacts, and wrong types to validate', () => {
    const needs = missingFields({ project: 'oops', targets: [{ name: 'a' }], compile: { include_dirs: ['i'], output_dir: 'b' }, llvm: { tools: { x: 'y' } } }, false);
    expect(needs).toEqual({ fields: [], jobs: ['create_structure'] });
  });
});

describe('what the jobs find', () => {
  it('globs per top folder and extension', () => {
    expect(sourceGlobs(['src/a.cpp', 'src/x/b.cpp', 'src/c.c', 'tools/t.cc', 'main.c'])).toEqual(['*.c', 'src/**/*.c', 'src/**/*.cpp', 'tools/**/*.cc']);
  });

  it('include dirs: only what a source\'s own folder does not resolve, the shortest folder that does', () => {
    const includes = new Map([
      ['src/main.cpp', ['app/greet.h', 'local.h', 'missing.h']],
      ['src/lib/x.cpp', ['x.h', 'app/greet.h']],
    ]);
    const headers = ['include/app/greet.h', 'vendor/include/app/greet.h', 'src/local.h', 'src/lib/x.h'];
    expect(includeDirsFor(includes, headers)).toEqual(['include']);
    expect(quotedIncludes('#include "a.h"\n  #  include "b/c.h" // x\n#include <vector>\n// #include "no.h"\n')).toEqual(['a.h', 'b/c.h']);
  });

  it('adds what the jobs found, nothing for an empty finding, and names from the folder unless the file has one', () => {
    const needs = missingFields({}, false);
    const fields = additionsFor(needs, {
      scan_files: { sources: ['src/a.c'], headers: [] }, include_dirs: { dirs: [] },
      discover_tools: { tools: { gcc: 'gcc' } }, create_structure: { outputDir: 'build', created: true },
    }, 'my project!', null);
    expect(fields.map((f) => [f.field, f.value, f.source])).toEqual([
      ['project.name', 'my-project', 'default'], ['project.root', '.', 'default'], ['discovery.include', ['src/**/*.c'], 'scan_files'],
      ['compile.output_dir', 'build', 'create_structure'], ['llvm.tools', { gcc: 'gcc' }, 'discover_tools'],
      ['binary.type', 'executable', 'default'], ['binary.name', 'my-project', 'default'],
    ]);
    expect(additionsFor({ fields: ['binary.name'], jobs: [] }, {}, 'folder', 'named')[0]!.value).toBe('named');
    expect([projectNameFrom('...'), projectNameFrom('a b'), projectNameFrom('lib+x.1')]).toEqual(['project', 'a-b', 'lib+x.1']);
  });
});

describe('completion and the schema', () => {
  it('fills only keys the schema knows, with the schema\'s defaults', () => {
    for (const field of missingFields({}, false).fields.concat(missingFields({}, true).fields)) {
      const [table, key] = field.split('.') as [string, string];
      expect(keySpec(tableSpec(table)!, key), field).toBeDefined();
    }
    expect([schemaDefault('compile.output_dir'), schemaDefault('binary.type')]).toEqual(['build', 'executable']);
    expect(() => schemaDefault('project.name')).toThrow(/no string default/);
  });
});
