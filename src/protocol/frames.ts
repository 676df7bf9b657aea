/**
 * Splits a character stream into `\f`-delimited frames, refusing any frame over a size cap
 * (node-ipc itself buffers without bound). Used on both ends: daemon inbound, client inbound.
 */
import { FRAME_DELIMITER } from './messages.js';

export class FrameTooLarge extends Error {
  /** `complete`: the frames of the same chunk that came before the oversized one, still to be handled. */
  constructor(readonly limit: number, readonly complete: readonly string[] = []) {
    super(`frame exceeds ${limit} bytes`);
  }
}

export class FrameSplitter {
  /**
   * The partial frame after the last delimiter, in the pieces it came in, and its size in bytes.
   * Kept as pieces so that each byte is looked at once: re-scanning and re-measuring the whole
   * pending text on every chunk made a frame that arrives in many small chunks cost quadratic time
   * (about 10 s of the daemon's CPU for 1 MiB in 512-byte chunks).
   */
  private parts: string[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The complete frames in `chunk` (plus what was pending); keeps the partial rest. */
  push(chunk: string): string[] {
    const frames: string[] = [];
    let start = 0;
    for (let at = chunk.indexOf(FRAME_DELIMITER); at >= 0; at = chunk.indexOf(FRAME_DELIMITER, start)) {
      this.append(chunk.slice(start, at), frames);
      frames.push(this.parts.length === 1 ? this.parts[0]! : this.parts.join(''));
      this.parts = [];
      this.bytes = 0;
      start = at + 1;
    }
    this.append(chunk.slice(start), frames);
    return frames;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  /** Adds text to the pending frame; throws once that frame is over the cap. */
  private append(text: string, before: readonly string[]): void {
    if (text === '') return;
    this.parts.push(text);
    // Chunks come from a StringDecoder, which never splits a character: their sizes add up.
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > this.maxBytes) throw new FrameTooLarge(this.maxBytes, before);
  }
}

export function encodeFrame(type: string, data: unknown): string {
  return JSON.stringify({ type, data }) + FRAME_DELIMITER;
}
