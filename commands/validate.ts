import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { JmakeCommand } from '../src/cli/base-command.js';
import { printJson } from '../src/cli/output.js';
import { formatFinding, summarize, validateConfig } from '../src/config/validate.js';
import { JmakeError, errorMessage } from '../src/errors.js';
import { CONFIG_FILE } from '../src/project/root.js';

export default class Validate extends JmakeCommand {
  static override summary = 'Check jmake.toml: syntax, keys, types, values and paths.';
  static override description = 'Prints one line per finding, as compilers do: FILE:LINE:COLUMN: error|warning: MESSAGE, with a hint below. '
    + 'Exits 2 when there are errors, 0 with warnings only. Only reads the file; needs no daemon. '
    + 'With --json: {file, ok, findings: [{severity, line, column, message, hint?}]}, file being the absolute path.';

  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate -C path/to/project --json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate);
    const root = this.projectRoot(flags);
    const file = join(root, CONFIG_FILE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new JmakeError('config-unreadable', `cannot read ${file}: ${errorMessage(err)}`, 2);
    }
    const findings = validateConfig(text, file, root);
    const ok = findings.every((f) => f.severity !== 'error');
    if (this.jsonEnabled()) {
      printJson({ file, ok, findings });
    } else {
      // Named as the user would type it from here, so editors and terminals can jump to the line.
      const shown = relative(process.cwd(), file) || CONFIG_FILE;
      for (const finding of findings) this.log(formatFinding(shown, finding));
      this.log(`${shown}: ${summarize(findings)}`);
    }
    if (!ok) process.exitCode = 2;
  }
}
