import type { StreamHandle, StreamHandlers } from "../rpc/session.js";
import { Hole } from "./hole.js";

/** Zeros are handed out in pieces of this size when a hole is read as data. */
const ZERO_PIECE = 256 * 1024;

export type HoleMode = "zeros" | "records";

/**
 * The receiving half shared by the Readable and Duplex adapters: takes what
 * the session delivers, pushes it into the Node stream as the consumer
 * makes room, and tells the session when it is full, so that a slow
 * consumer stops the connection's reading instead of growing a buffer.
 * Holes become zeros, lazily (a 1 GiB hole is never 1 GiB in memory), or
 * stay Hole records.
 */
export class Receiver {
  handle: StreamHandle | null = null;
  /** Delivered but not yet pushed: only while zeros of an earlier hole are being pushed. */
  private readonly queue: (Buffer | Hole)[] = [];
  private zerosLeft = 0;
  /** The daemon sent its end and we confirmed it: push(null) once the queue is out. */
  private confirmed = false;
  private endPushed = false;
  /** finish() sent after the daemon's end; destroy waits for it rather than aborting. */
  finishing: Promise<void> | null = null;

  constructor(
    private readonly push: (chunk: Buffer | Hole | null) => boolean,
    private readonly holes: HoleMode,
    private readonly fail: (err: Error) => void,
  ) {}

  readonly handlers: StreamHandlers = {
    data: (bytes) => this.take(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    hole: (length) => this.take(new Hole(length)),
    end: () => {
      // The daemon is done: finish right away (it frees the daemon's side); the consumer may still be reading.
      // A finish already asked for (a Duplex ended by its user) is the same finish.
      (this.finishing ??= this.handle!.finish()).then(
        () => this.confirm(),
        (err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))),
      );
    },
    error: (err) => this.fail(err),
  };

  /** The consumer wants more (`_read`). */
  read(): void {
    if (this.pump()) this.handle?.resume();
  }

  /** The daemon confirmed the finish: the readable side ends once what is queued has been read. */
  confirm(): void {
    this.confirmed = true;
    this.pump();
  }

  private take(item: Buffer | Hole): boolean {
    this.queue.push(item);
    return this.pump();
  }

  /** Pushes what it can; true while the consumer still has room. */
  private pump(): boolean {
    for (;;) {
      if (this.zerosLeft > 0) {
        const n = Math.min(this.zerosLeft, ZERO_PIECE);
        this.zerosLeft -= n;
        if (!this.push(Buffer.alloc(n))) return false;
        continue;
      }
      const item = this.queue.shift();
      if (item === undefined) break;
      if (item instanceof Hole && this.holes === "zeros") {
        this.zerosLeft = item.length;
        continue;
      }
      if (!this.push(item)) return false;
    }
    if (this.confirmed && !this.endPushed) {
      this.endPushed = true;
      this.push(null);
    }
    return true;
  }
}
