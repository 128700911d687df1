import type { Duplex } from "node:stream";
import { VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX, decodeVirNetMessageError, decodeVirNetStreamHole, encodeVirNetStreamHole } from "../gen/virnetprotocol.js";
import { KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION, KeepaliveProcedure } from "../gen/virkeepaliveprotocol.js";
import * as trace from "./trace.js";
import { XdrWriter, type ProcedureInfo, type ProgramInfo } from "../xdr/index.js";
import {
  AbortError,
  ConnectionClosedError,
  LibvirtError,
  LibvirtRemoteError,
  ProtocolError,
  TimeoutError,
  UnsupportedError,
  type CloseReason,
} from "./errors.js";
import { FrameLink, type ByteFilter, type FrameTap } from "./link.js";
import { checkCallOptions, longTimeout, type LongTimeout } from "./options.js";
import { MessageStatus, MessageType, decodeBody, decodeInbound, encodeMessage, type Header, type Inbound } from "./message.js";

export interface CallOptions {
  /** Rejects the call with an AbortError when aborted; a late reply is dropped. */
  signal?: AbortSignal;
  /** Milliseconds before the call rejects with a TimeoutError. */
  timeout?: number;
  /**
   * Sees the reply synchronously, before any later message is dispatched:
   * an event registration must know its callback ID before the first event
   * that carries it is routed.
   */
  onReply?: (value: unknown) => void;
}

/** An event (MESSAGE) from the daemon, decoded with its procedure's message type. */
export interface InboundEvent {
  program: ProgramInfo;
  procedure: ProcedureInfo;
  body: unknown;
}

export interface CloseInfo {
  reason: CloseReason;
  /** The error every pending and later call rejects with. */
  error: ConnectionClosedError;
}

export interface SessionOptions {
  /** Programs whose replies and events this session understands. */
  programs: readonly ProgramInfo[];
  streams?: StreamFlowOptions;
  onEvent?: (event: InboundEvent) => void;
  onClose?: (info: CloseInfo) => void;
  /** Sees every plaintext frame both ways (the recorder). */
  tap?: FrameTap;
}

/** Counters of what the session dropped or ignored, per libvirt's policy. */
export interface SessionStats {
  undecodableEvents: number;
  /** Events whose status was not OK, which libvirt's client ignores too. */
  ignoredEvents: number;
  /** Stream packets dropped because their stream is over: ended, finished, aborted, given up on, or unknown. */
  ignoredStreamMessages: number;
  lateReplies: number;
  /** Keepalive messages with a procedure other than PING and PONG, which libvirt ignores. */
  ignoredKeepalives: number;
  /** Times reading stopped because a stream consumer was full, and milliseconds spent so. */
  streamPauses: number;
  streamPausedMs: number;
  /** The most bytes ever held by full stream consumers while reading on for replies. */
  streamOverflowPeak: number;
}

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

export interface StreamOptions extends CallOptions {
  handlers: StreamHandlers;
  /**
   * The call asked for a sparse stream (the procedure's `sparseflag`):
   * STREAM_HOLE is accepted from the daemon and may be sent to it.
   * libvirt's client errors a hole on any other stream, and so does this one.
   */
  sparse?: boolean;
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

/** Inbound flow control: see "Streams" in README.md. */
export interface StreamFlowOptions {
  /**
   * While a stream's consumer is full and calls wait for replies, the
   * session keeps reading (to reach the replies behind the stream's data)
   * until this many bytes have gone to full consumers; then reading stops
   * until a consumer makes room. Default 32 MiB.
   */
  digLimit?: number;
}

interface StreamEntry {
  readonly serial: number;
  readonly program: ProgramInfo;
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
  /** The consumer said it is full. */
  full: boolean;
  /** Bytes given to the consumer since it said so (reading on for replies). */
  overflow: number;
  /** A finish or abort asked for before the opening call's reply: sent (or failed) once it comes. */
  afterReply: (() => void)[];
}

interface PendingCall {
  program: ProgramInfo;
  procedure: ProcedureInfo;
  onReply: ((value: unknown) => void) | undefined;
  /** Set only while someone traces calls (NODE_DEBUG, diagnostics_channel). */
  span: trace.CallSpan | undefined;
  resolve(value: unknown): void;
  reject(err: Error): void;
  cleanup(): void;
}

const SERIAL_MAX = 0xffffffff;
/** Data packets carry what libvirt's own client puts in one (virStreamSendAll), which every daemon version accepts. */
export const STREAM_PACKET = VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX;
/** Default of StreamFlowOptions.digLimit. */
const DIG_LIMIT = 32 * 1024 * 1024;
const EMPTY = new Uint8Array(0);
/** Tags of keepalive frames in the link's queue; calls are tagged with their serial (>= 1). */
const TAG_PING = -1;
const TAG_PONG = -2;
/** setInterval's largest period; above it Node fires after 1 ms. */
const MAX_TIMER = 0x7fffffff;

/**
 * One RPC conversation over a byte stream: serials, concurrent calls routed
 * by serial, events, keepalive, and one orderly death. It knows nothing of
 * URIs, auth or transports.
 */
export class RpcSession {
  readonly stats: SessionStats = {
    undecodableEvents: 0,
    ignoredEvents: 0,
    ignoredStreamMessages: 0,
    lateReplies: 0,
    ignoredKeepalives: 0,
    streamPauses: 0,
    streamPausedMs: 0,
    streamOverflowPeak: 0,
  };
  /** Resolves once, when the session is closed for any reason. */
  readonly closed: Promise<CloseInfo>;

  private readonly link: FrameLink;
  private readonly writer = new XdrWriter(4096);
  private readonly pending = new Map<number, PendingCall>();
  /** Serials of calls given up on (timeout, abort) whose reply may still come. */
  private readonly abandoned = new Set<number>();
  private readonly procedures = new Map<number, { program: ProgramInfo; byNumber: Map<number, ProcedureInfo> }>();
  private serial = 0;
  /** This connection's number in NODE_DEBUG lines and diagnostics_channel messages. */
  readonly traceId = trace.nextId();
  private closeInfo: CloseInfo | null = null;
  private resolveClosed!: (info: CloseInfo) => void;
  private keepalive: { timer: NodeJS.Timeout; sent: number; lastPing: number } | null = null;
  /** When the last whole message arrived: keepalive counts messages, as libvirt's does, not bytes. */
  private lastInbound = Date.now();
  private readonly streamClosed: Promise<void>;
  /** Open data streams by the serial of the call that opened them; they outlive its reply. */
  private readonly streams = new Map<number, StreamEntry>();
  private fullStreams = 0;
  private overflow = 0;
  private pausedSince = 0;
  private readonly digLimit: number;

  constructor(
    private readonly stream: Duplex,
    private readonly options: SessionOptions,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.digLimit = options.streams?.digLimit ?? DIG_LIMIT;
    for (const program of options.programs) {
      const byNumber = new Map(Object.values(program.procedures).map((p) => [p.number, p]));
      this.procedures.set(program.program, { program, byNumber });
    }
    this.link = new FrameLink(
      stream,
      {
        onFrame: (frame) => this.onFrame(frame),
        onFailure: (e) => {
          const err = e instanceof LibvirtRemoteError ? e : new ProtocolError(String(e), { cause: e });
          this.shutdown("error", err.message, err);
        },
      },
      options.tap,
    );
    stream.on("end", () => this.shutdown("eof", "the daemon closed the connection"));
    this.streamClosed = new Promise((resolve) => stream.once("close", () => resolve()));
    stream.on("close", () => this.shutdown("eof", "the connection closed"));
    stream.on("error", (err: NodeJS.ErrnoException) => {
      // A reset or broken pipe is the peer going away, as an orderly EOF is.
      const gone = err.code === "ECONNRESET" || err.code === "EPIPE";
      this.shutdown(gone ? "eof" : "error", `connection error: ${err.message}`, err);
    });
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  /** Calls in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options: CallOptions = {}): Promise<unknown> {
    return this.startCall(program, procedure, args, options).reply;
  }

  /**
   * Opens a data stream: the call is sent and its stream registered under
   * the call's serial before any frame can arrive, since the daemon may
   * send data before the call's reply (its stream starts when the call is
   * dispatched, the reply is queued when the dispatch returns). `reply`
   * is the call's; if it fails, the stream is gone and its handlers are
   * not told.
   */
  openStream(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options: StreamOptions): { stream: StreamHandle; reply: Promise<unknown> } {
    const { handlers, sparse, ...callOptions } = options;
    const { serial, reply } = this.startCall(program, procedure, args, callOptions);
    if (serial === null) return { stream: new ClosedStream(), reply };
    const entry: StreamEntry = {
      serial,
      program,
      procedure,
      sparse: sparse === true,
      handlers,
      closing: null,
      ended: false,
      orphan: false,
      replied: false,
      full: false,
      overflow: 0,
      afterReply: [],
    };
    this.streams.set(serial, entry);
    reply.catch((err: unknown) => {
      if (this.streams.get(serial) !== entry) return;
      if ((err instanceof AbortError || err instanceof TimeoutError) && this.abandoned.has(serial)) entry.orphan = true;
      else this.dropStream(entry);
    });
    return { stream: new SessionStream(this, entry), reply };
  }

  private startCall(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options: CallOptions): { serial: number | null; reply: Promise<unknown> } {
    const failed = (e: unknown): { serial: null; reply: Promise<unknown> } => ({ serial: null, reply: Promise.reject(e) });
    if (this.closeInfo !== null) return failed(this.closeInfo.error);
    try {
      checkCallOptions(options, procedure.name);
    } catch (e) {
      return failed(e);
    }
    if (options.signal?.aborted) return failed(abortError(procedure, options.signal));
    const serial = this.nextSerial();
    let frame: Uint8Array;
    try {
      frame = encodeMessage(this.writer, header(program, procedure.number, MessageType.VIR_NET_CALL, serial), procedure.args, args);
    } catch (e) {
      return failed(e);
    }
    const span = trace.callStarted(this.traceId, program, procedure, serial, frame.length);
    const reply = new Promise<unknown>((resolve, reject) => {
      let timer: LongTimeout | undefined;
      const { signal, timeout } = options;
      const onAbort = (): void => this.abandon(serial, abortError(procedure, signal!));
      const call: PendingCall = {
        program,
        procedure,
        onReply: options.onReply,
        span,
        resolve,
        reject,
        cleanup: () => {
          timer?.cancel();
          signal?.removeEventListener("abort", onAbort);
        },
      };
      this.pending.set(serial, call);
      if (timeout !== undefined && timeout !== Infinity) {
        timer = longTimeout(() => this.abandon(serial, new TimeoutError(`${procedure.name} timed out after ${timeout} ms`)), timeout);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.link.send(frame, serial);
      // A call waiting for its reply lets reading go on past a full stream consumer.
      this.updateReading();
    });
    return { serial, reply: span === undefined ? reply : trace.follow(span, reply) };
  }

  /**
   * Client keepalive as libvirt's client does it: a PING after every
   * `interval` ms of silence, and the connection given up once the peer has
   * been silent for interval × (count + 1), i.e. `count` PINGs unanswered.
   */
  startKeepalive(interval: number, count: number): void {
    this.stopKeepalive();
    if (interval <= 0) return;
    const ka = {
      sent: 0,
      lastPing: 0,
      // Ticking faster than the interval keeps the deadline within a quarter of it.
      timer: setInterval(() => {
        if (this.link.isPaused) {
          // Not reading is our doing, not the daemon's silence; our PINGs keep the daemon's keepalive content.
          if (Date.now() - ka.lastPing >= interval) {
            ka.lastPing = Date.now();
            this.sendKeepalive(KeepaliveProcedure.KEEPALIVE_PROC_PING);
          }
          return;
        }
        const silent = Date.now() - this.lastInbound;
        if (silent >= interval * (count + 1)) {
          this.shutdown("keepalive", `no reply to ${count} keepalive pings (${(silent / 1000).toFixed(1)} s of silence)`);
        } else if (silent >= interval * (ka.sent + 1)) {
          ka.sent++;
          this.sendKeepalive(KeepaliveProcedure.KEEPALIVE_PROC_PING);
        }
      }, Math.min(Math.max(interval / 4, 10), MAX_TIMER)),
    };
    ka.timer.unref();
    this.keepalive = ka;
  }

  stopKeepalive(): void {
    if (this.keepalive !== null) clearInterval(this.keepalive.timer);
    this.keepalive = null;
  }

  /** Ends the stream and waits until it is closed; pending calls reject. */
  async end(): Promise<CloseInfo> {
    if (this.closeInfo === null) {
      this.shutdown("client", "the connection was closed by the client", undefined, true);
      this.stream.end();
      // A peer that never finishes its side must not hold close() forever.
      const timer = setTimeout(() => this.stream.destroy(), 2000);
      timer.unref();
      await this.streamClosed;
      clearTimeout(timer);
    }
    return this.closed;
  }

  /** Installs a security layer for every byte after the frame being handled now (SASL). */
  setFilter(filter: ByteFilter): void {
    this.link.setFilter(filter);
  }

  /** Bytes of calls waiting to be written because the daemon is not reading. */
  get backlog(): number {
    return this.link.backlog;
  }

  /** Closes at once with the given reason, as when the peer misbehaves. */
  destroy(reason: CloseReason, message: string, cause?: unknown): void {
    this.shutdown(reason, message, cause);
  }

  // ---- inbound ----

  private onFrame(frame: Uint8Array): void {
    if (this.closeInfo !== null) return;
    this.lastInbound = Date.now();
    if (this.keepalive !== null) this.keepalive.sent = 0;
    this.dispatch(decodeInbound(frame));
  }

  private dispatch(m: Inbound): void {
    const h = m.header;
    switch (h.type) {
      case MessageType.VIR_NET_REPLY:
      case MessageType.VIR_NET_REPLY_WITH_FDS:
        return this.onReply(m);
      case MessageType.VIR_NET_MESSAGE:
        return this.onMessage(m);
      case MessageType.VIR_NET_STREAM:
      case MessageType.VIR_NET_STREAM_HOLE:
        return this.onStream(m);
      case MessageType.VIR_NET_CALL:
      case MessageType.VIR_NET_CALL_WITH_FDS:
        throw new ProtocolError(`the daemon sent a call (program 0x${h.prog.toString(16)}, procedure ${h.proc})`);
      default:
        // Headers decode any type, as rpcgen's do; libvirt's client closes on one it does not know.
        throw new ProtocolError(`message of unknown type ${String(h.type)} (program 0x${h.prog.toString(16)}, procedure ${h.proc})`);
    }
  }

  private onReply({ header: h, body }: Inbound): void {
    const call = this.pending.get(h.serial);
    if (call === undefined) {
      if (this.abandoned.delete(h.serial)) {
        this.stats.lateReplies++;
        const orphan = this.streams.get(h.serial);
        // The stream opened after all, with nobody to read it: the daemon must be told.
        if (orphan?.orphan === true) {
          orphan.replied = h.status === MessageStatus.VIR_NET_OK;
          if (orphan.replied) this.closeStream(orphan, MessageStatus.VIR_NET_ERROR).catch(() => {});
          else this.dropStream(orphan);
        }
        return;
      }
      throw new ProtocolError(`reply with serial ${h.serial} matches no call`);
    }
    if (h.prog !== call.program.program || h.vers !== call.program.version || h.proc !== call.procedure.number) {
      throw new ProtocolError(
        `reply with serial ${h.serial} is for program 0x${h.prog.toString(16)} v${h.vers} procedure ${h.proc}, ` +
          `not ${call.procedure.name}`,
      );
    }
    if (h.status !== MessageStatus.VIR_NET_OK && h.status !== MessageStatus.VIR_NET_ERROR) {
      // Still pending, so the close this causes rejects it with the rest.
      throw new ProtocolError(`reply to ${call.procedure.name} has status ${h.status}`);
    }
    this.pending.delete(h.serial);
    if (call.span !== undefined) call.span.bytesIn = body.bytes.length;
    call.cleanup();
    const opened = this.streams.get(h.serial);
    if (opened !== undefined && h.status === MessageStatus.VIR_NET_OK) {
      opened.replied = true;
      for (const go of opened.afterReply.splice(0)) go();
    }
    this.updateReading();
    if (h.type === MessageType.VIR_NET_REPLY_WITH_FDS) {
      call.reject(new UnsupportedError(`${call.procedure.name} returns file descriptors, which this client cannot receive`));
      return;
    }
    switch (h.status) {
      case MessageStatus.VIR_NET_OK: {
        let value: unknown;
        try {
          value = decodeBody(call.procedure.ret, body);
        } catch (e) {
          // Only this call is affected; the stream is still in step.
          call.reject(new ProtocolError(`undecodable reply to ${call.procedure.name}: ${(e as Error).message}`, { cause: e }));
          return;
        }
        try {
          call.onReply?.(value);
        } catch (e) {
          call.reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        call.resolve(value);
        return;
      }
      case MessageStatus.VIR_NET_ERROR:
        try {
          const remote = decodeVirNetMessageError(body);
          body.done();
          call.reject(new LibvirtError(remote, call.procedure.name));
        } catch (e) {
          call.reject(new ProtocolError(`undecodable error reply to ${call.procedure.name}: ${(e as Error).message}`, { cause: e }));
        }
        return;
    }
  }

  private onMessage({ header: h, body }: Inbound): void {
    if (h.prog === KEEPALIVE_PROGRAM) {
      trace.keepalive(this.traceId, "received", h.proc);
      if (h.proc === KeepaliveProcedure.KEEPALIVE_PROC_PING) this.sendKeepalive(KeepaliveProcedure.KEEPALIVE_PROC_PONG);
      else if (h.proc !== KeepaliveProcedure.KEEPALIVE_PROC_PONG) this.stats.ignoredKeepalives++;
      return;
    }
    const known = this.procedures.get(h.prog);
    if (known === undefined) throw new ProtocolError(`message for unknown program 0x${h.prog.toString(16)}`);
    if (h.status !== MessageStatus.VIR_NET_OK) {
      this.stats.ignoredEvents++;
      return;
    }
    const procedure = known.byNumber.get(h.proc);
    if (procedure === undefined || procedure.message === null) {
      throw new ProtocolError(`unknown event procedure ${h.proc} of program ${known.program.name}`);
    }
    let decoded: unknown;
    try {
      decoded = decodeBody(procedure.message, body);
    } catch {
      // libvirt's client drops an event it cannot decode and carries on.
      this.stats.undecodableEvents++;
      return;
    }
    trace.event(this.traceId, procedure, body.bytes.length);
    this.options.onEvent?.({ program: known.program, procedure, body: decoded });
  }

  // ---- streams ----

  /** STREAM and STREAM_HOLE, as libvirt's client dispatches them (virNetClientCallDispatchStream). */
  private onStream({ header: h, body }: Inbound): void {
    const s = this.streams.get(h.serial);
    // Packets for a stream already finished or aborted keep coming for a while: ignored, as libvirt does.
    if (s === undefined || h.prog !== s.program.program || h.vers !== s.program.version || h.proc !== s.procedure.number) {
      this.stats.ignoredStreamMessages++;
      return;
    }
    if (h.type === MessageType.VIR_NET_STREAM_HOLE) {
      if (h.status !== MessageStatus.VIR_NET_CONTINUE) throw new ProtocolError(`stream hole for ${s.procedure.name} has status ${h.status}`);
      if (isOver(s)) {
        this.stats.ignoredStreamMessages++;
        return;
      }
      if (!s.sparse) return this.failStream(s, new ProtocolError(`the daemon sent a hole on ${s.procedure.name}, which was not opened sparse`));
      let length: number;
      try {
        const hole = decodeVirNetStreamHole(body);
        body.done();
        length = Number(hole.length);
        if (hole.length <= 0n || !Number.isSafeInteger(length)) throw new Error(`length ${hole.length}`);
      } catch (e) {
        return this.failStream(s, new ProtocolError(`malformed stream hole on ${s.procedure.name}: ${(e as Error).message}`, { cause: e }));
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
        this.dropStream(s);
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
        this.dropStream(s);
        if (s.closing !== null) s.closing.reject(err);
        else if (!s.orphan) s.handlers.error(err);
        return;
      }
      default:
        throw new ProtocolError(`stream packet for ${s.procedure.name} has status ${h.status}`);
    }
  }

  /** A protocol error on one stream: it fails locally and the daemon is asked to abort its side. */
  private failStream(s: StreamEntry, err: Error): void {
    // Closing first, so the owner sees a stream that is no longer open and does not wait on the abort.
    this.closeStream(s, MessageStatus.VIR_NET_ERROR).catch(() => {});
    s.handlers.error(err);
  }

  /**
   * Sends finish (OK) or abort (ERROR), both with an empty body, and waits for the daemon's answer.
   * @internal
   */
  closeStream(s: StreamEntry, status: typeof MessageStatus.VIR_NET_OK | typeof MessageStatus.VIR_NET_ERROR): Promise<void> {
    if (this.closeInfo !== null) return Promise.reject(this.closeInfo.error);
    if (this.streams.get(s.serial) !== s) return Promise.reject(new ProtocolError(`the stream of ${s.procedure.name} is already over`));
    if (s.closing !== null) return Promise.reject(new ProtocolError(`the stream of ${s.procedure.name} is already ending`));
    if (!s.replied) {
      // The daemon's data, its end included, may come before the call's
      // reply (a screenshot's often does); the daemon takes our finish only
      // once the stream is open on its side, which the reply says.
      return new Promise((resolve, reject) => s.afterReply.push(() => this.closeStream(s, status).then(resolve, reject)));
    }
    const done = new Promise<void>((resolve, reject) => (s.closing = { resolve, reject }));
    // A closing stream takes no more data, so it no longer holds reading back.
    this.consumed(s, true, 0);
    this.link.send(streamFrame(s, status, MessageType.VIR_NET_STREAM, EMPTY));
    return done;
  }

  /**
   * Sends data, cut into packets of the size libvirt's own client sends (virStreamSendAll's buffer).
   * @internal
   */
  sendStreamData(s: StreamEntry, bytes: Uint8Array): boolean {
    if (!this.isWritable(s)) return false;
    for (let at = 0; at < bytes.length; at += STREAM_PACKET) {
      const payload = bytes.subarray(at, at + STREAM_PACKET);
      this.link.sendSplit(streamHead(s, MessageStatus.VIR_NET_CONTINUE, MessageType.VIR_NET_STREAM, payload.length), payload);
    }
    return true;
  }

  /** @internal */
  sendStreamHole(s: StreamEntry, length: number): boolean {
    if (!s.sparse) throw new UnsupportedError(`the stream of ${s.procedure.name} was not opened sparse, so it cannot carry holes`);
    if (!this.isWritable(s)) return false;
    if (!Number.isSafeInteger(length) || length <= 0) throw new RangeError(`a hole's length must be a positive whole number, not ${length}`);
    this.writer.reset();
    encodeVirNetStreamHole(this.writer, { length: BigInt(length), flags: 0 });
    this.link.send(streamFrame(s, MessageStatus.VIR_NET_CONTINUE, MessageType.VIR_NET_STREAM_HOLE, this.writer.bytes.subarray(0, this.writer.pos)));
    return true;
  }

  private isWritable(s: StreamEntry): boolean {
    return this.closeInfo === null && this.streams.get(s.serial) === s && s.closing === null && !s.orphan && s.replied;
  }

  /** @internal */
  isStreamOpen(s: StreamEntry): boolean {
    return this.closeInfo === null && this.streams.get(s.serial) === s && s.closing === null && !s.orphan && s.replied;
  }

  drained(): Promise<void> {
    return this.link.drained();
  }

  private dropStream(s: StreamEntry): void {
    if (this.streams.get(s.serial) !== s) return;
    this.streams.delete(s.serial);
    this.consumed(s, true, 0);
    // A finish waiting for a reply that failed: it fails too ("already over").
    for (const go of s.afterReply.splice(0)) go();
  }

  /**
   * Books what a consumer took and whether it has room left, then decides
   * whether to keep reading. `more` true clears the stream's full state.
   * @internal
   */
  consumed(s: StreamEntry, more: boolean, bytes: number): void {
    // A handler may have finished or aborted the stream from inside the call that reports on it.
    if (more || s.closing !== null || this.streams.get(s.serial) !== s) {
      if (s.full) {
        s.full = false;
        this.fullStreams--;
        this.overflow -= s.overflow;
        s.overflow = 0;
      }
    } else if (!s.full) {
      s.full = true;
      this.fullStreams++;
    } else {
      s.overflow += bytes;
      this.overflow += bytes;
      if (this.overflow > this.stats.streamOverflowPeak) this.stats.streamOverflowPeak = this.overflow;
    }
    this.updateReading();
  }

  /**
   * Reading stops while a stream consumer is full, so that TCP holds the
   * daemon back (it sends one packet at a time and waits for the socket).
   * While calls wait for replies, reading goes on up to `digLimit` bytes
   * past full consumers, since replies queue behind the stream's data.
   */
  private updateReading(): void {
    if (this.closeInfo !== null) return;
    const stop = this.fullStreams > 0 && (this.pending.size === 0 || this.overflow >= this.digLimit);
    if (stop && !this.link.isPaused) {
      this.stats.streamPauses++;
      this.pausedSince = Date.now();
      this.link.pause();
    } else if (!stop && this.link.isPaused) {
      this.stats.streamPausedMs += Date.now() - this.pausedSince;
      // We were not listening: the daemon's silence meanwhile says nothing about it.
      this.lastInbound = Date.now();
      this.link.resume();
    }
  }

  // ---- outbound ----

  private nextSerial(): number {
    this.serial = this.serial === SERIAL_MAX ? 1 : this.serial + 1;
    return this.serial;
  }

  private sendKeepalive(proc: number): void {
    if (this.closeInfo !== null) return;
    // One unsent PING or PONG says all there is to say: a peer that floods
    // PINGs and never reads must not grow a queue of answers.
    const tag = proc === KeepaliveProcedure.KEEPALIVE_PROC_PING ? TAG_PING : TAG_PONG;
    if (this.link.has(tag)) return;
    const h: Header = {
      prog: KEEPALIVE_PROGRAM,
      vers: KEEPALIVE_PROTOCOL_VERSION,
      proc,
      type: MessageType.VIR_NET_MESSAGE,
      serial: 0,
      status: MessageStatus.VIR_NET_OK,
    };
    this.link.send(encodeMessage(this.writer, h, null, undefined), tag);
    trace.keepalive(this.traceId, "sent", proc);
  }

  private abandon(serial: number, err: Error): void {
    const call = this.pending.get(serial);
    if (call === undefined) return;
    this.pending.delete(serial);
    // A call whose frame never left cannot be answered; one that left may be, late.
    if (!this.link.unsend(serial)) this.abandoned.add(serial);
    call.cleanup();
    call.reject(err);
    this.updateReading();
  }

  /** Closes the session once; the stream is destroyed unless `end()` is ending it in order. */
  private shutdown(reason: CloseReason, message: string, cause?: unknown, orderly = false): void {
    if (this.closeInfo !== null) return;
    const error = new ConnectionClosedError(reason, message, cause === undefined ? undefined : { cause });
    this.closeInfo = { reason, error };
    trace.closed(this.traceId, reason, message);
    this.stopKeepalive();
    this.link.close();
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.abandoned.clear();
    for (const call of calls) {
      call.cleanup();
      call.reject(error);
    }
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) {
      if (s.closing !== null) s.closing.reject(error);
      else if (!s.orphan) s.handlers.error(error);
      for (const go of s.afterReply.splice(0)) go();
    }
    if (!orderly) this.stream.destroy();
    this.options.onClose?.(this.closeInfo);
    this.resolveClosed(this.closeInfo);
  }
}

/** Still registered, but taking no more data: ended by the daemon, finished or aborted by the client, or orphaned. */
function isOver(s: StreamEntry): boolean {
  return s.closing !== null || s.orphan || s.ended;
}

function header(program: ProgramInfo, proc: number, type: Header["type"], serial: number): Header {
  return { prog: program.program, vers: program.version, proc, type, serial, status: MessageStatus.VIR_NET_OK };
}

function abortError(procedure: ProcedureInfo, signal: AbortSignal): AbortError {
  return new AbortError(`${procedure.name} was aborted`, { cause: signal.reason });
}

/**
 * One stream packet: length word, header, raw payload. Written by hand
 * rather than through encodeMessage, since the payload is not an XDR value
 * and is copied once, straight into the frame.
 */
function streamFrame(s: StreamEntry, status: number, type: number, payload: Uint8Array): Uint8Array {
  const frame = Buffer.allocUnsafe(28 + payload.length);
  writeStreamHead(frame, s, status, type, frame.length);
  frame.set(payload, 28);
  return frame;
}

/** The length word and header of a stream frame whose payload is written apart (bulk data is not copied). */
function streamHead(s: StreamEntry, status: number, type: number, payloadLength: number): Uint8Array {
  const head = Buffer.allocUnsafe(28);
  writeStreamHead(head, s, status, type, 28 + payloadLength);
  return head;
}

function writeStreamHead(frame: Buffer, s: StreamEntry, status: number, type: number, length: number): void {
  frame.writeUInt32BE(length, 0);
  frame.writeUInt32BE(s.program.program, 4);
  frame.writeUInt32BE(s.program.version, 8);
  frame.writeInt32BE(s.procedure.number, 12);
  frame.writeInt32BE(type, 16);
  frame.writeUInt32BE(s.serial, 20);
  frame.writeInt32BE(status, 24);
}

class SessionStream implements StreamHandle {
  constructor(
    private readonly session: RpcSession,
    private readonly entry: StreamEntry,
  ) {}

  get serial(): number {
    return this.entry.serial;
  }

  get isOpen(): boolean {
    return this.session.isStreamOpen(this.entry);
  }

  send(bytes: Uint8Array): boolean {
    return this.session.sendStreamData(this.entry, bytes);
  }

  sendHole(length: number): boolean {
    return this.session.sendStreamHole(this.entry, length);
  }

  finish(): Promise<void> {
    return this.session.closeStream(this.entry, MessageStatus.VIR_NET_OK);
  }

  abort(): Promise<void> {
    return this.session.closeStream(this.entry, MessageStatus.VIR_NET_ERROR);
  }

  resume(): void {
    if (this.entry.full) this.session.consumed(this.entry, true, 0);
  }

  drained(): Promise<void> {
    return this.session.drained();
  }

  get backlog(): number {
    return this.session.backlog;
  }
}

/** The handle of a stream whose call failed before it was sent. */
class ClosedStream implements StreamHandle {
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
