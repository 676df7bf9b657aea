import xxhash from 'xxhash-wasm';

const api = await xxhash();

/** xxh64 as jmake prints it: 16 lowercase hex digits. */
export function xxh64(content: string | Uint8Array): string {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return api.h64Raw(bytes).toString(16).padStart(16, '0');
}
