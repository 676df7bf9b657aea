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
  private pending = '';

  constructor(private readonly maxBytes: number) {}

  /** The complete frames in `chunk` (plus what was pending); keeps the partial rest. */
  push(chunk: string): string[] {
    let text = this.pending + chunk;
    const frames: string[] = [];
    let at = text.indexOf(FRAME_DELIMITER);
    while (at >= 0) {
      const frame = text.slice(0, at);
      this.check(frame, frames);
      frames.push(frame);
      text = text.slice(at + 1);
      at = text.indexOf(FRAME_DELIMITER);
    }
    this.check(text, frames);
    this.pending = text;
    return frames;
  }

  get pendingBytes(): number {
    return Buffer.byteLength(this.pending);
  }

  private check(text: string, before: readonly string[]): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only when it could matter.
    if (text.length * 3 > this.maxBytes && Buffer.byteLength(text) > this.maxBytes) throw new FrameTooLarge(this.maxBytes, before);
  }
}

export function encodeFrame(type: string, data: unknown): string {
  return JSON.stringify({ type, data }) + FRAME_DELIMITER;
}
