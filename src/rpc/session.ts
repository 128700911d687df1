import type { Duplex } from "node:stream";
import { KEEPALIVE_PROGRAM } from "../gen/virkeepaliveprotocol.js";
import * as trace from "./trace.js";
import { XdrWriter, type ProcedureInfo, type ProgramInfo } from "../xdr/index.js";
import { settleCall, type PendingCall } from "./call.js";
import { AbortError, ConnectionClosedError, LibvirtRemoteError, ProtocolError, TimeoutError, type CloseReason } from "./errors.js";
import { Keepalive } from "./keepalive.js";
import { FrameLink, type ByteFilter, type FrameTap } from "./link.js";
import { checkCallOptions, longTimeout, type LongTimeout } from "./options.js";
import { MessageStatus, MessageType, decodeBody, decodeInbound, encodeMessage, type Header, type Inbound } from "./message.js";
import { DIG_LIMIT, InboundFlow, type StreamFlowOptions } from "./stream-flow.js";
import { ClosedStream, type StreamHandle, type StreamHandlers } from "./stream-handle.js";
import { StreamTable } from "./stream-table.js";

export type { StreamFlowOptions } from "./stream-flow.js";
export { STREAM_PACKET, type StreamHandle, type StreamHandlers } from "./stream-handle.js";

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

export interface StreamOptions extends CallOptions {
  handlers: StreamHandlers;
  /**
   * The call asked for a sparse stream (the procedure's `sparseflag`):
   * STREAM_HOLE is accepted from the daemon and may be sent to it.
   * libvirt's client errors a hole on any other stream, and so does this one.
   */
  sparse?: boolean;
}

const SERIAL_MAX = 0xffffffff;

/**
 * One RPC conversation over a byte stream: serials, concurrent calls routed
 * by serial, events, and one orderly death. Stream packets go to the
 * stream table, keepalive messages to keepalive. It knows nothing of URIs,
 * auth or transports.
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
  /** Set once a frame from the peer has been understood; until then, who is told (see whenHeard). */
  private heardFrom: (() => void)[] | null = [];
  private readonly streamClosed: Promise<void>;
  private readonly keepalive: Keepalive;
  /** Stops reading while stream consumers are full. */
  private readonly flow: InboundFlow;
  /** Open data streams by the serial of the call that opened them; they outlive its reply. */
  private readonly streams: StreamTable;

  constructor(
    private readonly stream: Duplex,
    private readonly options: SessionOptions,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
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
    const { link, pending } = this;
    this.keepalive = new Keepalive(link, this.stats, this.traceId, (message) => this.shutdown("keepalive", message));
    const reading = {
      get waitingCalls() {
        return pending.size;
      },
      pause: () => link.pause(),
      resume: () => {
        this.keepalive.readingResumed();
        link.resume();
      },
    };
    this.flow = new InboundFlow(reading, this.stats, options.streams?.digLimit ?? DIG_LIMIT);
    this.streams = new StreamTable(link, this.flow, this.stats, () => this.closeInfo?.error ?? null);
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

  /** True once a frame from the peer has been understood: a libvirt daemon (or its twin) is there. */
  get heard(): boolean {
    return this.heardFrom === null;
  }

  /** Calls `fn` once the first frame from the peer has been understood, at once if it has. */
  whenHeard(fn: () => void): void {
    if (this.heardFrom === null) fn();
    else this.heardFrom.push(fn);
  }

  /** The first bytes the peer sent (up to 32), to show what answered when it is not libvirt. */
  get opening(): Uint8Array {
    return this.link.opening;
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
    const { entry, handle } = this.streams.open(serial, program, procedure, handlers, sparse === true);
    reply.catch((err: unknown) => this.streams.callFailed(entry, (err instanceof AbortError || err instanceof TimeoutError) && this.abandoned.has(serial)));
    return { stream: handle, reply };
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
      this.flow.update();
    });
    return { serial, reply: span === undefined ? reply : trace.follow(span, reply) };
  }

  /** Sends PINGs into `interval` ms of silence; closes once `count` go unanswered (see Keepalive.start). */
  startKeepalive(interval: number, count: number): void {
    this.keepalive.start(interval, count);
  }

  stopKeepalive(): void {
    this.keepalive.stop();
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

  /** Resolves once queued frames (of every stream and call) are handed to the socket. */
  drained(): Promise<void> {
    return this.link.drained();
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
    this.keepalive.received();
    this.dispatch(decodeInbound(frame));
    if (this.heardFrom !== null) {
      const told = this.heardFrom;
      this.heardFrom = null;
      for (const fn of told) fn();
    }
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
        return this.streams.onPacket(m);
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
        this.streams.lateReply(h.serial, h.status === MessageStatus.VIR_NET_OK);
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
    if (h.status === MessageStatus.VIR_NET_OK) this.streams.replied(h.serial);
    this.flow.update();
    settleCall(call, h, body);
  }

  private onMessage({ header: h, body }: Inbound): void {
    if (h.prog === KEEPALIVE_PROGRAM) {
      this.keepalive.onMessage(h.proc);
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

  // ---- outbound ----

  private nextSerial(): number {
    this.serial = this.serial === SERIAL_MAX ? 1 : this.serial + 1;
    return this.serial;
  }

  private abandon(serial: number, err: Error): void {
    const call = this.pending.get(serial);
    if (call === undefined) return;
    this.pending.delete(serial);
    // A call whose frame never left cannot be answered; one that left may be, late.
    if (!this.link.unsend(serial)) this.abandoned.add(serial);
    call.cleanup();
    call.reject(err);
    this.flow.update();
  }

  /** Closes the session once; the stream is destroyed unless `end()` is ending it in order. */
  private shutdown(reason: CloseReason, message: string, cause?: unknown, orderly = false): void {
    if (this.closeInfo !== null) return;
    const error = new ConnectionClosedError(reason, message, cause === undefined ? undefined : { cause });
    this.closeInfo = { reason, error };
    trace.closed(this.traceId, reason, message);
    this.keepalive.close();
    this.flow.close();
    this.link.close();
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.abandoned.clear();
    for (const call of calls) {
      call.cleanup();
      call.reject(error);
    }
    this.streams.closeAll(error);
    if (!orderly) this.stream.destroy();
    this.options.onClose?.(this.closeInfo);
    this.resolveClosed(this.closeInfo);
  }
}

function header(program: ProgramInfo, proc: number, type: Header["type"], serial: number): Header {
  return { prog: program.program, vers: program.version, proc, type, serial, status: MessageStatus.VIR_NET_OK };
}

function abortError(procedure: ProcedureInfo, signal: AbortSignal): AbortError {
  return new AbortError(`${procedure.name} was aborted`, { cause: signal.reason });
}
