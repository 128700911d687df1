import { Readable } from "node:stream";
import type { StreamHandle } from "../rpc/session.js";
import { destroyOnAbort, settleOnDestroy } from "./abort.js";
import type { Hole } from "./hole.js";
import { Receiver, type HoleMode } from "./receiver.js";

export interface ReceiveOptions {
  /**
   * Sparse streams only: holes read as zero bytes (`"zeros"`, the default,
   * as virStreamRecv does), or as `Hole` records between Buffers
   * (`"records"`, an object-mode stream; see `writeSparseFile`).
   */
  holes?: HoleMode;
  /** Bytes (object mode: chunks) held before the connection stops reading. Default 2 MiB (16 chunks). */
  highWaterMark?: number;
  /** Aborts the stream (and the opening call): the daemon is told and confirms. */
  signal?: AbortSignal;
}

/** `for await` over a ReceiveStream yields these: Buffers, and Hole records in `"records"` mode. */
export interface TypedReadable<T> extends Readable {
  [Symbol.asyncIterator](): AsyncIterableIterator<T>;
}

export const DEFAULT_HIGH_WATER_MARK = 2 * 1024 * 1024;

/**
 * The data a daemon sends on a stream (a volume download, a screenshot),
 * as a Readable. It ends only after the daemon has confirmed the finish;
 * destroy() or the signal abort it, and 'close' follows the daemon's
 * confirmation.
 */
export class ReceiveStream<T extends Buffer | Hole = Buffer> extends Readable implements TypedReadable<T> {
  /** @internal */
  readonly receiver: Receiver;
  private readonly unlisten: () => void;

  constructor(what: string, options: ReceiveOptions = {}) {
    const records = options.holes === "records";
    super({ objectMode: records, highWaterMark: options.highWaterMark ?? (records ? 16 : DEFAULT_HIGH_WATER_MARK) });
    this.receiver = new Receiver((c) => this.push(c), options.holes ?? "zeros", (err) => this.destroy(err));
    this.unlisten = destroyOnAbort(options.signal, what, this);
  }

  /** @internal Binds the session's handle once the stream is registered. */
  attach(handle: StreamHandle): void {
    this.receiver.handle = handle;
  }

  override _read(): void {
    this.receiver.read();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.unlisten();
    settleOnDestroy(this.receiver.handle, this.receiver.finishing, err, cb);
  }

  declare [Symbol.asyncIterator]: () => AsyncIterableIterator<T>;
}
