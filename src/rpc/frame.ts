import { VIR_NET_MESSAGE_HEADER_MAX, VIR_NET_MESSAGE_LEN_MAX, VIR_NET_MESSAGE_MAX } from "../gen/virnetprotocol.js";
import { ProtocolError } from "./errors.js";

/** The smallest frame: the length word, which counts itself, and a header. */
export const FRAME_MIN = VIR_NET_MESSAGE_LEN_MAX + VIR_NET_MESSAGE_HEADER_MAX;
/** The largest frame: libvirt's message limit does not count the length word. */
export const FRAME_MAX = VIR_NET_MESSAGE_MAX + VIR_NET_MESSAGE_LEN_MAX;

/**
 * Cuts a byte stream into frames. Chunks are kept as they arrive and only
 * joined once a whole frame is there, so a frame split into many pieces
 * costs one copy, and a declared length is checked before anything of
 * that size is allocated.
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Length of the frame being waited for, once its length word is in. */
  private want = 0;

  /** Adds bytes; returns the frames now complete (without their length word). */
  push(chunk: Uint8Array): Uint8Array[] {
    this.feed(chunk);
    const frames: Uint8Array[] = [];
    for (let f = this.next(); f !== null; f = this.next()) frames.push(f);
    return frames;
  }

  /** Adds bytes without cutting them yet; `next()` takes frames one by one. */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next whole frame (without its length word), or null. One at a time,
   * so that what a frame causes (a security layer installed after the last
   * authentication reply) applies to the bytes behind it.
   */
  next(): Uint8Array | null {
    if (this.want === 0) {
      if (this.buffered < VIR_NET_MESSAGE_LEN_MAX) return null;
      this.want = checkLength(this.peekLength());
    }
    if (this.buffered < this.want) return null;
    const frame = this.take(this.want).subarray(VIR_NET_MESSAGE_LEN_MAX);
    this.want = 0;
    return frame;
  }

  /** Removes and returns the bytes not yet cut into frames (to re-read them through a new filter). */
  drainBytes(): Uint8Array[] {
    const rest = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    this.want = 0;
    return rest;
  }

  /** Bytes received that do not yet make a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return ((first[0]! << 24) | (first[1]! << 16) | (first[2]! << 8) | first[3]!) >>> 0;
    const head = this.copyOut(4);
    return ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  }

  private copyOut(n: number): Uint8Array {
    // Every byte is written below, so the zero-fill of a new array would be wasted (a stream's 256 KiB frames).
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    for (const c of this.chunks) {
      const part = Math.min(c.length, n - at);
      out.set(c.subarray(0, part), at);
      at += part;
      if (at === n) break;
    }
    return out;
  }

  /** Removes the first n bytes; no copy when they lie in one chunk. */
  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    let out: Uint8Array;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = this.copyOut(n);
      let left = n;
      while (left > 0) {
        const c = this.chunks[0]!;
        if (c.length <= left) {
          left -= c.length;
          this.chunks.shift();
        } else {
          this.chunks[0] = c.subarray(left);
          left = 0;
        }
      }
    }
    this.buffered -= n;
    return out;
  }
}

function checkLength(len: number): number {
  if (len < FRAME_MIN) throw new ProtocolError(`frame length ${len} is below the minimum of ${FRAME_MIN}`);
  if (len > FRAME_MAX) throw new ProtocolError(`frame length ${len} exceeds the maximum of ${FRAME_MAX}`);
  return len;
}
