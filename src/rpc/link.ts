import type { Duplex } from "node:stream";
import { FrameDecoder } from "./frame.js";

/**
 * A layer between the transport's bytes and the frames: identity unless a
 * security layer (SASL's) has been negotiated. It sees every byte after the
 * point where it was installed, in both directions.
 */
export interface ByteFilter {
  readonly name: string;
  /** Wraps outbound plaintext for the wire (may add framing of its own). */
  encode(plain: Uint8Array): Uint8Array;
  /** Unwraps inbound wire bytes: the plaintext now complete, possibly none. */
  decode(wire: Uint8Array): Uint8Array[];
}

/** Sees whole plaintext frames (with their length word) as they are written and read. */
export interface FrameTap {
  sent(frame: Uint8Array): void;
  received(frame: Uint8Array): void;
}

export interface FrameLinkHandlers {
  /** A whole inbound frame, without its length word. */
  onFrame(frame: Uint8Array): void;
  /** Bytes could not be cut into frames (bad length, security layer failure), or a handler threw. */
  onFailure(err: unknown): void;
}

/** Bytes of the peer's opening kept to show what answered when it is not libvirt. */
const OPENING_KEPT = 32;

/** Frames are joined into writes of up to this many bytes. */
const WRITE_BATCH = 256 * 1024;
/** Bytes the stream may hold unsent before frames wait here instead. */
const WRITE_HIGH_WATER = 1024 * 1024;

interface Outgoing {
  /** The frame, or with `payload` its length word and header. */
  bytes: Uint8Array;
  /** Stream data written as it is after `bytes`, not copied into a frame. */
  payload: Uint8Array | null;
  size: number;
  /** Lets the session take back an unsent call frame (a call given up on). */
  tag: number | undefined;
}

/**
 * Frames in, frames out, over a byte stream: cuts inbound bytes into frames
 * (one at a time, so a filter swapped in by one frame applies to the bytes
 * behind it), lets a tap see plaintext frames, batches the frames of one
 * tick into one write, and honours the stream's backpressure: while the
 * peer does not read, frames wait here instead of in the socket.
 */
export class FrameLink {
  private readonly decoder = new FrameDecoder();
  private filter: ByteFilter | null = null;
  private outbox: Outgoing[] = [];
  private outboxBytes = 0;
  private flushQueued = false;
  private blocked = false;
  private closed = false;
  /** Reading stopped by the session (a stream consumer is full): frames already cut wait in the decoder. */
  private paused = false;
  private resumeQueued = false;
  private drainWaiters: (() => void)[] = [];
  /** The first bytes the peer sent, as they came (before any security layer). */
  opening: Uint8Array = new Uint8Array(0);

  constructor(
    readonly stream: Duplex,
    private readonly handlers: FrameLinkHandlers,
    private readonly tap?: FrameTap,
  ) {
    stream.on("data", (chunk: Uint8Array) => this.onData(chunk));
    // A transport may have read ahead in paused mode (TLS's confirmation byte).
    stream.resume();
    stream.on("drain", () => {
      this.blocked = false;
      this.flush();
    });
  }

  /** Bytes waiting to be written because the peer is not reading. */
  get backlog(): number {
    return this.outboxBytes;
  }

  /** The security layer in effect, if any. */
  get filterName(): string | null {
    return this.filter?.name ?? null;
  }

  /** Queues a whole frame (with its length word) for the next write. */
  send(frame: Uint8Array, tag?: number): void {
    this.queue({ bytes: frame, payload: null, size: frame.length, tag });
  }

  /**
   * Queues a frame given as its head (length word and header) and its
   * payload, which goes to the stream as it is: bulk stream data is not
   * copied into a frame, so the caller must not change it afterwards.
   */
  sendSplit(head: Uint8Array, payload: Uint8Array): void {
    this.queue({ bytes: head, payload, size: head.length + payload.length, tag: undefined });
  }

  private queue(out: Outgoing): void {
    if (this.closed) return;
    this.outbox.push(out);
    this.outboxBytes += out.size;
    if (!this.flushQueued && !this.blocked) {
      this.flushQueued = true;
      queueMicrotask(this.flushSoon);
    }
  }

  /** Removes a queued frame that has not been written yet; true if it was there. */
  unsend(tag: number): boolean {
    const i = this.outbox.findIndex((o) => o.tag === tag);
    if (i < 0) return false;
    this.outboxBytes -= this.outbox[i]!.size;
    this.outbox.splice(i, 1);
    return true;
  }

  /** True while a frame with this tag waits unsent (keepalive uses it to send at most one PONG). */
  has(tag: number): boolean {
    return this.outbox.some((o) => o.tag === tag);
  }

  /** Resolves once everything queued has been handed to the stream and it is not backpressured. */
  drained(): Promise<void> {
    if (this.closed || (this.outbox.length === 0 && !this.blocked)) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Installs a security layer: frames already queued go out under the old
   * one, and inbound bytes not yet cut into frames are read through the new
   * one, so the switch happens exactly at the frame that caused it.
   */
  setFilter(filter: ByteFilter): void {
    this.flush(true);
    this.filter = filter;
    const rest = this.decoder.drainBytes();
    for (const chunk of rest) for (const plain of filter.decode(chunk)) this.decoder.feed(plain);
  }

  /**
   * Stops handing frames to the session and stops reading the stream, so
   * the kernel's buffers fill and TCP stops the peer: the only flow control
   * libvirt's protocol has for data the daemon sends.
   */
  pause(): void {
    if (this.paused || this.closed) return;
    this.paused = true;
    this.stream.pause();
  }

  /** Undoes pause(); frames already received are handed over first, on a later tick (never re-entrantly). */
  resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    if (this.resumeQueued) return;
    this.resumeQueued = true;
    setImmediate(() => {
      this.resumeQueued = false;
      if (this.paused || this.closed) return;
      this.cutFrames();
      if (!this.paused && !this.closed) this.stream.resume();
    });
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops reading and writing; what is queued is dropped. */
  close(): void {
    this.closed = true;
    this.outbox = [];
    this.outboxBytes = 0;
    this.wakeDrainWaiters();
  }

  // ---- inbound ----

  private onData(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.opening.length < OPENING_KEPT) this.keepOpening(chunk);
    try {
      if (this.filter === null) this.decoder.feed(chunk);
      else for (const plain of this.filter.decode(chunk)) this.decoder.feed(plain);
    } catch (e) {
      this.handlers.onFailure(e);
      return;
    }
    // A chunk that arrived as pause() was called waits whole in the decoder.
    if (!this.paused) this.cutFrames();
  }

  private keepOpening(chunk: Uint8Array): void {
    const more = chunk.subarray(0, OPENING_KEPT - this.opening.length);
    const joined = new Uint8Array(this.opening.length + more.length);
    joined.set(this.opening);
    joined.set(more, this.opening.length);
    this.opening = joined;
  }

  private cutFrames(): void {
    try {
      for (let frame = this.decoder.next(); frame !== null; frame = this.decoder.next()) {
        if (this.tap !== undefined) this.tap.received(withLength(frame));
        this.handlers.onFrame(frame);
        if (this.closed || this.paused) return;
      }
    } catch (e) {
      this.handlers.onFailure(e);
    }
  }

  // ---- outbound ----

  private readonly flushSoon = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  /**
   * Writes what is queued, small frames joined into one write, until the
   * stream says it is full; the rest waits for 'drain'. `force` writes
   * everything even so (a filter switch must not wait).
   */
  private flush(force = false): void {
    while (!this.closed && this.outbox.length > 0 && (!this.blocked || force)) {
      let n = 0;
      let size = 0;
      while (n < this.outbox.length && (n === 0 || size + this.outbox[n]!.size <= WRITE_BATCH)) size += this.outbox[n++]!.size;
      const frames = this.outbox.splice(0, n);
      this.outboxBytes -= size;
      if (this.tap !== undefined) for (const f of frames) this.tap.sent(f.payload === null ? f.bytes : Buffer.concat([f.bytes, f.payload]));
      const chunks = this.filter === null ? wireChunks(frames) : [this.filter.encode(Buffer.concat(wireChunks(frames), size))];
      // Node's sockets say "full" past 16 KiB, which would leave a bulk
      // stream one frame in flight: up to WRITE_HIGH_WATER may wait in the
      // stream; past it, and only once the stream has said "full" (which
      // arms its 'drain'), frames wait here.
      let accepted = true;
      if (chunks.length === 1) accepted = this.stream.write(chunks[0]);
      else {
        // One writev for a head and its payload.
        this.stream.cork();
        for (const c of chunks) accepted = this.stream.write(c);
        this.stream.uncork();
      }
      if (!accepted && this.stream.writableLength >= WRITE_HIGH_WATER) this.blocked = true;
    }
    if (!this.blocked) this.wakeDrainWaiters();
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

/** What to write for a batch of frames: small frames joined into one chunk, payloads as they are. */
function wireChunks(frames: readonly Outgoing[]): Uint8Array[] {
  if (frames.length === 1 && frames[0]!.payload === null) return [frames[0]!.bytes];
  const chunks: Uint8Array[] = [];
  let joined: Uint8Array[] = [];
  const join = (): void => {
    if (joined.length > 0) chunks.push(joined.length === 1 ? joined[0]! : Buffer.concat(joined));
    joined = [];
  };
  for (const f of frames) {
    joined.push(f.bytes);
    if (f.payload === null) continue;
    join();
    chunks.push(f.payload);
  }
  join();
  return chunks;
}

/** A frame as it travels: the length word (which counts itself) and the body. */
function withLength(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(body.length + 4);
  new DataView(frame.buffer).setUint32(0, frame.length);
  frame.set(body, 4);
  return frame;
}
