/**
 * Reading jmake.toml. This issue needs only what the daemon itself uses ([daemon] and the output
 * dir); full validation and completion come with the config work (docs/config.md).
 */
import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import type { Hasher } from '../util/hash.js';
import { notUtf8Finding, syntaxFinding } from './validate.js';

export interface ConfigError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export type ConfigRead =
  | { readonly ok: true; readonly hash: string; readonly values: Record<string, unknown>; readonly text: string }
  | { readonly ok: false; readonly hash: string; readonly error: ConfigError };

export function readConfig(path: string, hasher: Hasher): ConfigRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return { ok: false, hash: '', error: { message: `cannot read ${path}: ${(err as Error).message}`, line: 0, column: 0 } };
  }
  return parseConfig(bytes, hasher.hashBytes(bytes));
}

/**
 * The messages are `jmake validate`'s (validate.ts): a file that is not UTF-8 is refused where it
 * stops being text (decoding would silently turn those bytes into U+FFFD, and a flag holding them
 * would reach the compiler changed), and a syntax error says what and where.
 */
export function parseConfig(bytes: Buffer, hash: string): ConfigRead {
  const text = bytes.toString('utf8');
  const undecodable = notUtf8Finding(text);
  if (undecodable) return { ok: false, hash, error: { message: undecodable.message, line: undecodable.line, column: undecodable.column } };
  try {
    // smol-toml returns null-prototype objects; a JSON round trip makes them plain data.
    const values = JSON.parse(JSON.stringify(parse(text))) as Record<string, unknown>;
    return { ok: true, hash, values, text };
  } catch (err) {
    if (err instanceof TomlError) {
      const finding = syntaxFinding(err, text);
      return { ok: false, hash, error: { message: finding.message, line: finding.line, column: finding.column } };
    }
    return { ok: false, hash, error: { message: (err as Error).message, line: 0, column: 0 } };
  }
}

/** Dotted keys whose values differ between two configs (leaves; arrays compare whole). */
export function changedKeys(before: Readonly<Record<string, unknown>> | null, after: Readonly<Record<string, unknown>>): string[] {
  const a = flatten(before ?? {});
  const b = flatten(after);
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

function flatten(value: Readonly<Record<string, unknown>>, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, v] of Object.entries(value)) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) flatten(v as Record<string, unknown>, dotted, out);
    else out.set(dotted, JSON.stringify(v));
  }
  return out;
}
