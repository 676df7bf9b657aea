/**
 * A project's name also names its program and library (build/bin/NAME, libNAME.a), so it follows
 * the rule for target names (letters, digits and _ . + -), and it must start with a letter, a digit
 * or `_`: a leading `-` would read as a flag on a link line, a leading `.` would hide the files.
 */
const VALID_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

export function isValidProjectName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** The default name: the folder's, with every run of other characters turned into `_`. */
export function projectNameFromFolder(folder: string): string {
  const cleaned = folder.replace(/[^A-Za-z0-9_.+-]+/g, '_').replace(/^[.+-]+/, '');
  return cleaned === '' ? 'app' : cleaned;
}
