import { StringDecoder } from 'node:string_decoder';
import { describe, expect, it } from 'vitest';
import { FrameSplitter, FrameTooLarge, encodeFrame } from '../../src/protocol/frames.js';
import { FRAME_DELIMITER, MAX_FRAME_BYTES } from '../../src/protocol/messages.js';

const frames = [
  encodeFrame('request', { rid: 1, method: 'hello', params: { protocol: 1, version: '0.1.0' } }),
  encodeFrame('reply', { rid: 1, ok: true, result: { text: 'ünïcødé 日本語 😀🎉' } }),
  encodeFrame('progress', { rid: 2, progress: {} }),
];
const stream = frames.join('');
const expected = frames.map((f) => f.slice(0, -1));

describe('encodeFrame', () => {
  it('is JSON of {type, data} plus the delimiter', () => {
    const f = encodeFrame('reply', { rid: 3 });
    expect(FRAME_DELIMITER).toBe('\f');
    expect(f).toBe('{"type":"reply","data":{"rid":3}}\f');
    expect(JSON.parse(f.slice(0, -1))).toEqual({ type: 'reply', data: { rid: 3 } });
  });

  it('never contains a raw delimiter inside (JSON escapes it)', () => {
    const f = encodeFrame('x', { s: 'a\fb' });
    expect(f.indexOf('\f')).toBe(f.length - 1);
    const splitter = new FrameSplitter(1024);
    expect(splitter.push(f).map((t) => JSON.parse(t))).toEqual([{ type: 'x', data: { s: 'a\fb' } }]);
  });
});

describe('FrameSplitter', () => {
  it('returns nothing until a delimiter arrives, then the whole frame', () => {
    const s = new FrameSplitter(1024);
    expect(s.push('{"a":')).toEqual([]);
    expect(s.pendingBytes).toBe(5);
    expect(s.push('1}')).toEqual([]);
    expect(s.push('\f')).toEqual(['{"a":1}']);
    expect(s.pendingBytes).toBe(0);
  });

  it('splits several frames in one chunk and keeps the partial rest', () => {
    const s = new FrameSplitter(MAX_FRAME_BYTES);
    expect(s.push(stream + '{"partial"')).toEqual(expected);
    expect(s.pendingBytes).toBe(Buffer.byteLength('{"partial"'));
    expect(s.push(':1}\f')).toEqual(['{"partial":1}']);
  });

  it('passes empty frames through', () => {
    expect(new FrameSplitter(10).push('\f\fa\f')).toEqual(['', '', 'a']);
  });

  it('handles a split at every position of the text', () => {
    for (let i = 0; i <= stream.length; i++) {
      const s = new FrameSplitter(MAX_FRAME_BYTES);
      const out = [...s.push(stream.slice(0, i)), ...s.push(stream.slice(i))];
      expect(out, `split at ${i}`).toEqual(expected);
      expect(s.pendingBytes).toBe(0);
    }
  });

  it('handles a split at every pair of positions (three chunks)', () => {
    const text = frames[1]! + frames[2]!;
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        const s = new FrameSplitter(MAX_FRAME_BYTES);
        const out = [...s.push(text.slice(0, i)), ...s.push(text.slice(i, j)), ...s.push(text.slice(j))];
        expect(out).toEqual(expected.slice(1));
      }
    }
  });

  it('handles a split at every byte position of the UTF-8 stream (multi-byte characters)', () => {
    const bytes = Buffer.from(stream, 'utf8');
    expect(bytes.length).toBeGreaterThan(stream.length);
    for (let i = 0; i <= bytes.length; i++) {
      const decoder = new StringDecoder('utf8');
      const s = new FrameSplitter(MAX_FRAME_BYTES);
      const out = [
        ...s.push(decoder.write(bytes.subarray(0, i))),
        ...s.push(decoder.write(bytes.subarray(i))),
        ...s.push(decoder.end()),
      ];
      expect(out, `split at byte ${i}`).toEqual(expected);
      expect(JSON.parse(out[1]!).data.result.text).toBe('ünïcødé 日本語 😀🎉');
    }
  });

  it('handles one byte (one character) at a time', () => {
    const decoder = new StringDecoder('utf8');
    const s = new FrameSplitter(MAX_FRAME_BYTES);
    const out: string[] = [];
    for (const byte of Buffer.from(stream, 'utf8')) out.push(...s.push(decoder.write(Buffer.from([byte]))));
    expect(out).toEqual(expected);
  });

  it('accepts a frame of exactly the limit in bytes', () => {
    const s = new FrameSplitter(100);
    expect(s.push('x'.repeat(100) + '\f')).toEqual(['x'.repeat(100)]);
    const multi = 'é'.repeat(50); // 100 bytes, 50 characters
    expect(new FrameSplitter(100).push(multi + '\f')).toEqual([multi]);
  });

  it('throws FrameTooLarge for a complete frame past the limit', () => {
    const s = new FrameSplitter(100);
    let error: unknown;
    try {
      s.push('x'.repeat(101) + '\f');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FrameTooLarge);
    expect((error as FrameTooLarge).limit).toBe(100);
    expect((error as FrameTooLarge).message).toBe('frame exceeds 100 bytes');
  });

  it('counts bytes, not characters', () => {
    const s = new FrameSplitter(100);
    const text = '😀'.repeat(26); // 52 UTF-16 units, 104 bytes
    expect(text.length).toBeLessThanOrEqual(100);
    expect(() => s.push(text + '\f')).toThrow(FrameTooLarge);
    expect(() => new FrameSplitter(100).push('日'.repeat(34))).toThrow(FrameTooLarge); // 102 bytes, no delimiter
  });

  it('throws for a partial frame with no delimiter yet', () => {
    expect(() => new FrameSplitter(100).push('y'.repeat(101))).toThrow(FrameTooLarge);
    const s = new FrameSplitter(100);
    expect(s.push('y'.repeat(60))).toEqual([]);
    expect(s.push('y'.repeat(40))).toEqual([]);
    expect(s.pendingBytes).toBe(100);
    expect(() => s.push('y')).toThrow(FrameTooLarge);
  });

  it('throws for a too-large frame even when it arrives together with good ones', () => {
    const s = new FrameSplitter(20);
    expect(() => s.push('ok\f' + 'z'.repeat(21) + '\fok2\f')).toThrow(FrameTooLarge);
    // the rest after the frames is checked too
    expect(() => new FrameSplitter(20).push('ok\f' + 'z'.repeat(21))).toThrow(FrameTooLarge);
  });

  it('the limit applies per frame, not per chunk', () => {
    const s = new FrameSplitter(10);
    const chunk = Array.from({ length: 50 }, (_, i) => `f${i}`.padEnd(10, '.')).join('\f') + '\f';
    expect(chunk.length).toBeGreaterThan(10 * 50);
    const out = s.push(chunk);
    expect(out).toHaveLength(50);
    expect(out.every((f) => f.length === 10)).toBe(true);
  });
});

describe('FrameTooLarge.complete', () => {
  it('carries the complete frames that came before the oversized one in the same chunk', () => {
    const s = new FrameSplitter(20);
    let error: unknown;
    try {
      s.push('one\ftwo\f' + 'z'.repeat(21) + '\fthree\f');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FrameTooLarge);
    expect((error as FrameTooLarge).complete).toEqual(['one', 'two']);
  });
});
