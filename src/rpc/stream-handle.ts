import { VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX } from "../gen/virnetprotocol.js";
import { ProtocolError } from "./errors.js";

/** Data packets carry what libvirt's own client puts in one (virStreamSendAll), which every daemon version accepts. */
export const STREAM_PACKET = VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX;

/**
 * What the owner of a data stream is told (src/streams adapts it to Node
 * streams). Every method runs synchronously inside the session's dispatch,
 * in wire order.
 */
export interface StreamHandlers {
  /**
   * Data from the daemon: a view of the received frame, not a copy.
   * Returning false says the consumer holds enough for now; the session
   * then stops reading the connection until `StreamHandle.resume()`.
   */
  data(bytes: Uint8Array): boolean;
  /** A hole of `length` bytes; only on streams opened sparse. Returns as `data` does. */
  hole(length: number): boolean;
  /** The daemon has sent all its data (an empty CONTINUE); `finish()` is the client's turn. */
  end(): void;
  /**
   * The stream is over without a finish: the daemon's error (LibvirtError),
   * a protocol error on this stream, or the connection closing
   * (ConnectionClosedError). Called at most once, and never after `finish()`
   * or `abort()` was asked for (their promises carry the outcome instead).
   */
  error(err: Error): void;
}

/** The client's side of one open stream. */
export interface StreamHandle {
  /** The serial of the call that opened it, which every packet of the stream carries. */
  readonly serial: number;
  /** True until the stream is finished, aborted or failed. */
  readonly isOpen: boolean;
  /**
   * Queues data for the daemon, cut into packets of libvirt's size; false
   * (and nothing sent) once the stream is over. The bytes are written as
   * they are, not copied: they must not change until written (as with a
   * Node stream's `write`).
   */
  send(bytes: Uint8Array): boolean;
  /** Queues a hole (sparse streams only). */
  sendHole(length: number): boolean;
  /** Ends the stream in order; resolves on the daemon's confirmation, rejects with its error. */
  finish(): Promise<void>;
  /** Asks the daemon to abort the stream; resolves on its confirmation (an error answer rejects). */
  abort(): Promise<void>;
  /** The consumer has room again: reading resumes if this stream was the reason it stopped. */
  resume(): void;
  /** Resolves once queued frames (of every stream and call) are handed to the socket. */
  drained(): Promise<void>;
  /** Bytes queued on the connection and not yet handed to the socket. */
  readonly backlog: number;
}

/** The handle of a stream whose call failed before it was sent. */
export class ClosedStream implements StreamHandle {
  readonly serial = 0;
  readonly isOpen = false;
  send(): boolean {
    return false;
  }
  sendHole(): boolean {
    return false;
  }
  finish(): Promise<void> {
    return Promise.reject(new ProtocolError("the stream never opened"));
  }
  abort(): Promise<void> {
    return Promise.resolve();
  }
  resume(): void {}
  drained(): Promise<void> {
    return Promise.resolve();
  }
  readonly backlog = 0;
}
