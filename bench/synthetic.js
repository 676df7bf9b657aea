// Deterministic synthetic data shared by the scenarios: file paths of a C source tree and the
// facts the watcher would record for them.

/** A small fast PRNG (mulberry32): the same seed gives the same data on every run. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, w) => String(n).padStart(w, '0');

/**
 * File k of a tree laid out as src/lib<NN>/mod<NNN>/file<NN>.{c,h}: 20 files per leaf dir,
 * 100 leaf dirs per lib (100k files -> 5,000 leaf dirs in 50 libs).
 */
export function filePath(k) {
  const leaf = Math.floor(k / 20);
  const lib = Math.floor(leaf / 100);
  const inLeaf = k % 20;
  const ext = inLeaf >= 18 ? 'h' : 'c';
  return `src/lib${pad(lib, 2)}/mod${pad(leaf % 100, 3)}/file${pad(inLeaf, 2)}.${ext}`;
}

function hex16(random) {
  const hi = Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
  const lo = Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
  return hi + lo;
}

/** Facts of file k as of event number `version` (a realistic xxh64, size, fractional mtime, inode). */
export function fileFacts(k, version, random) {
  return {
    path: filePath(k),
    hash: hex16(random),
    size: 200 + Math.floor(random() * 8000),
    mtime: 1_793_000_000_000 + version * 37 + Math.floor(random() * 1000) / 1000,
    ino: 2_000_000 + k,
  };
}
