import { decodeVirNetMessageError, decodeVirNetStreamHole, encodeVirNetStreamHole } from "../gen/virnetprotocol.js";
import { XdrWriter, type ProcedureInfo, type ProgramInfo } from "../xdr/index.js";
import { LibvirtError, ProtocolError, UnsupportedError } from "./errors.js";
import { MessageStatus, MessageType, encodeStreamFrame, encodeStreamHead, type Inbound, type StreamAddress } from "./message.js";
import type { FlowState, InboundFlow } from "./stream-flow.js";
import { STREAM_PACKET, type StreamHandle, type StreamHandlers } from "./stream-handle.js";

/** What the stream table is given of the frame link: its outbound side (FrameLink has it). */
export interface StreamLink {
  /** Queues a whole frame. */
  send(frame: Uint8Array): void;
  /** Queues a frame as its head and a payload written as it is. */
  sendSplit(head: Uint8Array, payload: Uint8Array): void;
  /** Resolves once everything queued is handed to the socket. */
  drained(): Promise<void>;
  /** Bytes queued and not yet handed to the socket. */
  readonly backlog: number;
}

export interface StreamStats {
  /** Stream packets dropped because their stream is over: ended, finished, aborted, given up on, or unknown. */
  ignoredStreamMessages: number;
}

/** One open stream, keyed by the serial of the call that opened it; it outlives that call's reply. */
export interface StreamEntry extends StreamAddress, FlowState {
  readonly procedure: ProcedureInfo;
  readonly sparse: boolean;
  readonly handlers: StreamHandlers;
  /** Finish or abort sent, waiting for the daemon's OK (or ERROR). */
  closing: { resolve(): void; reject(err: Error): void } | null;
  /** The daemon's empty CONTINUE arrived. */
  ended: boolean;
  /** The opening call was given up on (timeout, abort): abort the stream if its late reply says it opened. */
  orphan: boolean;
  /** The opening call's reply said OK: only now may the client send on the stream (the daemon has no stream before). */
  replied: boolean;
  /** A finish or abort was asked for (possibly still waiting for the reply): the owner learns the outcome from its promise, not from `handlers.error`. */
  closeRequested: boolean;
  /** A finish or abort asked for before the opening call's reply: sent once it comes, or failed with the reason it never will. */
  afterReply: ((failure?: Error) => void)[];
}

type CloseStatus = typeof MessageStatus.VIR_NET_OK | typeof MessageStatus.VIR_NET_ERROR;

/**
 * What a stream handle may do to its own entry: the table's only way in
 * from outside, given to each handle rather than exposed on the table.
 */
interface StreamOps {
  isOpen(s: StreamEntry): boolean;
  send(s: StreamEntry, bytes: Uint8Array): boolean;
  sendHole(s: StreamEntry, length: number): boolean;
  close(s: StreamEntry, status: CloseStatus): Promise<void>;
  resume(s: StreamEntry): void;
  drained(): Promise<void>;
  backlog(): number;
}

const EMPTY = new Uint8Array(0);

/**
 * The session's open data streams: their entries, the STREAM and
 * STREAM_HOLE packets the daemon sends on them, and what the client sends
 * (data, holes, finish, abort).
 */
export class StreamTable {
  private readonly entries = new Map<number, StreamEntry>();
  private readonly writer = new XdrWriter(64);
  private readonly ops: StreamOps = {
    isOpen: (s) => this.isWritable(s),
    send: (s, bytes) => this.sendData(s, bytes),
    sendHole: (s, length) => this.sendHole(s, length),
    close: (s, status) => this.close(s, status),
    resume: (s) => {
      if (s.full) this.consumed(s, true, 0);
    },
    drained: () => this.link.drained(),
    backlog: () => this.link.backlog,
  };

  constructor(
    private readonly link: StreamLink,
    private readonly flow: InboundFlow,
    private readonly stats: StreamStats,
    /** The error the connection closed with (every stream operation fails with it), null while open. */
    private readonly closeError: () => Error | null,
  ) {}

  /** Registers the stream of a call just sent, before any of its packets can arrive. */
  open(serial: number, program: ProgramInfo, procedure: ProcedureInfo, handlers: StreamHandlers, sparse: boolean): { entry: StreamEntry; handle: StreamHandle } {
    const entry: StreamEntry = {
      serial,
      prog: program.program,
      vers: program.version,
      proc: procedure.number,
      procedure,
      sparse,
      handlers,
      closing: null,
      closeRequested: false,
      ended: false,
      orphan: false,
      replied: false,
      full: false,
      overflow: 0,
      afterReply: [],
    };
    this.entries.set(serial, entry);
    return { entry, handle: new TableStream(this.ops, entry) };
  }

  /**
   * The opening call failed: the stream is gone, unless the call was given
   * up on after it left (its late reply decides whether the daemon's side
   * must be aborted). Either way a finish or abort waiting for the reply
   * fails now: the reply may never come.
   */
  callFailed(s: StreamEntry, givenUp: boolean): void {
    if (this.entries.get(s.serial) !== s) return;
    if (!givenUp) return this.drop(s);
    s.orphan = true;
    this.failWaiting(s, this.overError(s));
  }

  /** The opening call's reply said OK: the daemon has the stream, and a finish or abort asked for early goes out. */
  replied(serial: number): void {
    const s = this.entries.get(serial);
    if (s === undefined) return;
    s.replied = true;
    for (const go of s.afterReply.splice(0)) go();
  }

  /** The late reply of a call given up on: a stream it opened after all has nobody to read it, and the daemon must be told. */
  lateReply(serial: number, ok: boolean): void {
    const s = this.entries.get(serial);
    if (s?.orphan !== true) return;
    s.replied = ok;
    if (ok) this.close(s, MessageStatus.VIR_NET_ERROR).catch(() => {});
    else this.drop(s);
  }

  /**
   * STREAM and STREAM_HOLE, as libvirt's client dispatches them
   * (virNetClientCallDispatchStream). Throws a ProtocolError for what
   * libvirt treats as fatal to the connection.
   */
  onPacket({ header: h, body }: Inbound): void {
    const s = this.entries.get(h.serial);
    // Packets for a stream already finished or aborted keep coming for a while: ignored, as libvirt does.
    if (s === undefined || h.prog !== s.prog || h.vers !== s.vers || h.proc !== s.proc) {
      this.stats.ignoredStreamMessages++;
      return;
    }
    if (h.type === MessageType.VIR_NET_STREAM_HOLE) {
      if (h.status !== MessageStatus.VIR_NET_CONTINUE) throw new ProtocolError(`stream hole for ${s.procedure.name} has status ${h.status}`);
      if (isOver(s)) {
        this.stats.ignoredStreamMessages++;
        return;
      }
      if (!s.sparse) return this.fail(s, new ProtocolError(`the daemon sent a hole on ${s.procedure.name}, which was not opened sparse`));
      let length: number;
      try {
        const hole = decodeVirNetStreamHole(body);
        body.done();
        length = Number(hole.length);
        if (hole.length <= 0n || !Number.isSafeInteger(length)) throw new Error(`length ${hole.length}`);
      } catch (e) {
        return this.fail(s, new ProtocolError(`malformed stream hole on ${s.procedure.name}: ${(e as Error).message}`, { cause: e }));
      }
      this.consumed(s, s.handlers.hole(length), 0);
      return;
    }
    switch (h.status) {
      case MessageStatus.VIR_NET_CONTINUE: {
        // After the daemon's end, or once finish or abort was sent, what the daemon sends is dropped.
        if (isOver(s)) {
          this.stats.ignoredStreamMessages++;
          return;
        }
        if (body.remaining === 0) {
          s.ended = true;
          s.handlers.end();
          return;
        }
        const bytes = body.bytes.subarray(body.pos, body.end);
        this.consumed(s, s.handlers.data(bytes), bytes.length);
        return;
      }
      case MessageStatus.VIR_NET_OK: {
        // libvirt's client treats a confirmation nobody asked for as fatal to the connection.
        if (s.closing === null) throw new ProtocolError(`the daemon confirmed the end of ${s.procedure.name}'s stream, which was not ending`);
        const closing = s.closing;
        this.drop(s);
        closing.resolve();
        return;
      }
      case MessageStatus.VIR_NET_ERROR: {
        let err: Error;
        try {
          const remote = decodeVirNetMessageError(body);
          body.done();
          err = new LibvirtError(remote, s.procedure.name);
        } catch (e) {
          err = new ProtocolError(`undecodable stream error for ${s.procedure.name}: ${(e as Error).message}`, { cause: e });
        }
        // The daemon has dropped its side of the stream before sending this.
        this.drop(s, err);
        if (s.closing !== null) s.closing.reject(err);
        else if (!s.orphan && !s.closeRequested) s.handlers.error(err);
        return;
      }
      default:
        throw new ProtocolError(`stream packet for ${s.procedure.name} has status ${h.status}`);
    }
  }

  /** The connection closed: every stream fails with its error (a finish or abort under way rejects with it). */
  closeAll(error: Error): void {
    const streams = [...this.entries.values()];
    this.entries.clear();
    for (const s of streams) {
      if (s.closing !== null) s.closing.reject(error);
      else if (!s.orphan && !s.closeRequested) s.handlers.error(error);
      this.failWaiting(s, error);
    }
  }

  /** A protocol error on one stream: it fails locally and the daemon is asked to abort its side. */
  private fail(s: StreamEntry, err: Error): void {
    // A finish or abort asked for before the reply is told by its promise (one already sent makes the stream over, so nothing fails it here).
    const toldByPromise = s.closeRequested;
    this.failWaiting(s, err);
    // Closing first, so the owner sees a stream that is no longer open and does not wait on the abort.
    this.close(s, MessageStatus.VIR_NET_ERROR).catch(() => {});
    if (!toldByPromise) s.handlers.error(err);
  }

  /** Sends finish (OK) or abort (ERROR), both with an empty body, and waits for the daemon's answer. */
  private close(s: StreamEntry, status: CloseStatus): Promise<void> {
    const closed = this.closeError();
    if (closed !== null) return Promise.reject(closed);
    if (this.entries.get(s.serial) !== s) return Promise.reject(this.overError(s));
    if (s.closing !== null) return Promise.reject(new ProtocolError(`the stream of ${s.procedure.name} is already ending`));
    if (!s.replied) {
      // Given up on: the reply may never come (a late one aborts the stream itself).
      if (s.orphan) return Promise.reject(this.overError(s));
      s.closeRequested = true;
      // The daemon's data, its end included, may come before the call's
      // reply (a screenshot's often does); the daemon takes our finish only
      // once the stream is open on its side, which the reply says.
      return new Promise((resolve, reject) =>
        s.afterReply.push((failure) => (failure === undefined ? this.close(s, status).then(resolve, reject) : reject(failure))),
      );
    }
    s.closeRequested = true;
    const done = new Promise<void>((resolve, reject) => (s.closing = { resolve, reject }));
    // A closing stream takes no more data, so it no longer holds reading back.
    this.consumed(s, true, 0);
    this.link.send(encodeStreamFrame(s, status, MessageType.VIR_NET_STREAM, EMPTY));
    return done;
  }

  /** Sends data, cut into packets of the size libvirt's own client sends (virStreamSendAll's buffer). */
  private sendData(s: StreamEntry, bytes: Uint8Array): boolean {
    if (!this.isWritable(s)) return false;
    for (let at = 0; at < bytes.length; at += STREAM_PACKET) {
      const payload = bytes.subarray(at, at + STREAM_PACKET);
      this.link.sendSplit(encodeStreamHead(s, MessageStatus.VIR_NET_CONTINUE, MessageType.VIR_NET_STREAM, payload.length), payload);
    }
    return true;
  }

  private sendHole(s: StreamEntry, length: number): boolean {
    if (!s.sparse) throw new UnsupportedError(`the stream of ${s.procedure.name} was not opened sparse, so it cannot carry holes`);
    if (!this.isWritable(s)) return false;
    if (!Number.isSafeInteger(length) || length <= 0) throw new RangeError(`a hole's length must be a positive whole number, not ${length}`);
    this.writer.reset();
    encodeVirNetStreamHole(this.writer, { length: BigInt(length), flags: 0 });
    this.link.send(encodeStreamFrame(s, MessageStatus.VIR_NET_CONTINUE, MessageType.VIR_NET_STREAM_HOLE, this.writer.bytes.subarray(0, this.writer.pos)));
    return true;
  }

  /** Open for sending: the connection is, the stream is registered, opened by the daemon, and not ending or orphaned. */
  private isWritable(s: StreamEntry): boolean {
    return this.closeError() === null && this.entries.get(s.serial) === s && s.closing === null && !s.orphan && s.replied;
  }

  /** Forgets the stream; a finish or abort waiting for the reply fails with `reason` (the daemon's error), or as "already over". */
  private drop(s: StreamEntry, reason?: Error): void {
    if (this.entries.get(s.serial) !== s) return;
    this.entries.delete(s.serial);
    this.consumed(s, true, 0);
    if (s.afterReply.length > 0) this.failWaiting(s, reason ?? this.overError(s));
  }

  /** A finish or abort waiting for the opening call's reply will not be sent: its promise rejects with `reason`. */
  private failWaiting(s: StreamEntry, reason: Error): void {
    for (const go of s.afterReply.splice(0)) go(reason);
  }

  private overError(s: StreamEntry): ProtocolError {
    return new ProtocolError(`the stream of ${s.procedure.name} is already over`);
  }

  /** Books what the consumer took; a stream that finished or aborted from inside the handler takes no more, so it holds nothing back. */
  private consumed(s: StreamEntry, more: boolean, bytes: number): void {
    this.flow.consumed(s, more || s.closing !== null || this.entries.get(s.serial) !== s, bytes);
  }
}

/** Still registered, but taking no more data: ended by the daemon, finished or aborted by the client, or orphaned. */
function isOver(s: StreamEntry): boolean {
  return s.closing !== null || s.orphan || s.ended;
}

/** The handle given to the stream's owner: everything it does goes through the table's StreamOps. */
class TableStream implements StreamHandle {
  constructor(
    private readonly ops: StreamOps,
    private readonly entry: StreamEntry,
  ) {}

  get serial(): number {
    return this.entry.serial;
  }

  get isOpen(): boolean {
    return this.ops.isOpen(this.entry);
  }

  send(bytes: Uint8Array): boolean {
    return this.ops.send(this.entry, bytes);
  }

  sendHole(length: number): boolean {
    return this.ops.sendHole(this.entry, length);
  }

  finish(): Promise<void> {
    return this.ops.close(this.entry, MessageStatus.VIR_NET_OK);
  }

  abort(): Promise<void> {
    return this.ops.close(this.entry, MessageStatus.VIR_NET_ERROR);
  }

  resume(): void {
    this.ops.resume(this.entry);
  }

  drained(): Promise<void> {
    return this.ops.drained();
  }

  get backlog(): number {
    return this.ops.backlog();
  }
}
