import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

/** Defined by the bundler for dist/client.cjs, so the hot path reads no package.json. */
declare const JMAKE_BUNDLED_VERSION: string | undefined;

/** The package version. The protocol has its own number (protocol/messages.ts). */
export const VERSION: string = typeof JMAKE_BUNDLED_VERSION === 'string'
  ? JMAKE_BUNDLED_VERSION
  : (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
