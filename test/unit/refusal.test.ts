import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REFUSAL_HINT, configRefusal, configRefusalOnDisk } from '../../src/config/refusal.js';
import { formatFinding, validateConfig } from '../../src/config/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'jmake-refusal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a build refuses what jmake validate calls an error, in its words', () => {
  it('every error finding with its hint, none of the warnings; the JmakeError exits 2', () => {
    const file = '/p/jmake.toml';
    const text = '[compile]\noutput_dir = "../out"\nflgs = []\n[[jobs]]\nid = "gen"\nrun = ["x"]\noutputs = ["/tmp/gen.h"]\n';
    const errors = validateConfig(text, file, '/p', () => true).filter((f) => f.severity === 'error');
    expect(errors).toHaveLength(2);
    const refused = configRefusal(text, file);
    expect(refused).toMatchObject({ code: 'config-invalid', exitCode: 2, hint: REFUSAL_HINT });
    expect(refused!.message).toBe(errors.map((f) => formatFinding(file, f)).join('\n'));
    expect(refused!.message).not.toContain('flgs');
  });

  it('nothing to refuse with warnings only, or none', () => {
    expect(configRefusal('[compile]\nflgs = []\n', '/p/jmake.toml')).toBeNull();
    expect(configRefusal('', '/p/jmake.toml')).toBeNull();
  });

  it('reads the file when the daemon\'s copy did not parse; nothing when it cannot be read', () => {
    const file = join(dir, 'jmake.toml');
    writeFileSync(file, '[compile]\nflags = [-Wall]\n');
    expect(configRefusalOnDisk(file)?.message).toBe(`${file}:2:10: error: syntax error: invalid value in \`flags = [-Wall]\`\n  hint: a value is a "quoted string", a number, true or false, an [array] or an { inline = "table" }`);
    expect(readFileSync(file, 'utf8')).toBe('[compile]\nflags = [-Wall]\n');
    expect(configRefusalOnDisk(join(dir, 'missing.toml'))).toBeNull();
  });
});
