import { Duplex } from "node:stream";
import { LibvirtRemoteError } from "../rpc/errors.js";
import type { StreamHandle } from "../rpc/session.js";
import { destroyOnAbort, settleOnDestroy } from "./abort.js";
import { Receiver } from "./receiver.js";
import { DEFAULT_HIGH_WATER_MARK } from "./readable.js";

export interface DeviceOptions {
  /** Bytes received and held before the connection stops reading. Default 2 MiB. */
  highWaterMark?: number;
  signal?: AbortSignal;
}

/** Bytes the session may hold unsent before write() callbacks wait for the socket. */
const SEND_WINDOW = 1024 * 1024;

/**
 * A guest's console or channel as a Duplex: what is written goes to the
 * guest, what the guest sends is read. end() finishes the stream (and
 * resolves 'finish' only on the daemon's confirmation); the daemon's own
 * end (the guest went away, or another client took the console with
 * force) is finished in turn and ends the readable side. destroy() and the
 * signal abort it.
 */
export class DeviceStream extends Duplex {
  /** @internal */
  readonly receiver: Receiver;
  private readonly unlisten: () => void;

  constructor(what: string, options: DeviceOptions = {}) {
    // The two directions end together, as libvirt's stream does.
    super({ allowHalfOpen: false, highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK });
    this.receiver = new Receiver((c) => this.push(c), "zeros", (err) => this.destroy(err));
    this.unlisten = destroyOnAbort(options.signal, what, this);
  }

  /** @internal */
  attach(handle: StreamHandle): void {
    this.receiver.handle = handle;
  }

  override _read(): void {
    this.receiver.read();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    const handle = this.receiver.handle!;
    if (!handle.send(chunk)) return cb(new LibvirtRemoteError("ERR_STREAM_CLOSED", "the stream is closed"));
    if (handle.backlog > SEND_WINDOW) handle.drained().then(() => cb(), cb);
    else cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    const r = this.receiver;
    // Already finishing because the daemon ended first: that finish is ours too.
    r.finishing ??= r.handle!.isOpen ? r.handle!.finish() : Promise.resolve();
    r.finishing.then(() => {
      cb();
      r.confirm();
    }, cb);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.unlisten();
    settleOnDestroy(this.receiver.handle, this.receiver.finishing, err, cb);
  }
}
