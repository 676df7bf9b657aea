// Writes docs/config.md from the schema (src/config/schema.ts, via dist/): `npm run docs:config`.
// test/unit/schema.test.ts fails when the file and the schema disagree.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDoc } from '../dist/src/config/schema-doc.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'config.md');
writeFileSync(target, configDoc());
console.log(`wrote ${target}`);
