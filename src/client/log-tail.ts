import { readFileSync } from 'node:fs';

/** The last lines of the daemon log, for an error message that explains itself. */
export function logTail(path: string, lines = 15): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    return text ? `\n--- last lines of ${path} ---\n${text}` : '';
  } catch {
    return '';
  }
}
