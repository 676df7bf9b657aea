import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` (absolute paths) whose name ends with `suffix`; none when `dir` is missing. */
export function filesEndingWith(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((rel) => rel.endsWith(suffix))
    .map((rel) => join(dir, rel))
    .filter((abs) => statSync(abs).isFile());
}
