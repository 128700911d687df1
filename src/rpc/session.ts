import type { Duplex } from "node:stream";
import { decodeVirNetMessageError } from "../gen/virnetprotocol.js";
import { KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION, KeepaliveProcedure } from "../gen/virkeepaliveprotocol.js";
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
import { FrameDecoder } from "./frame.js";
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
  onEvent?: (event: InboundEvent) => void;
  onClose?: (info: CloseInfo) => void;
}

/** Counters of what the session dropped or ignored, per libvirt's policy. */
export interface SessionStats {
  undecodableEvents: number;
  /** Events whose status was not OK, which libvirt's client ignores too. */
  ignoredEvents: number;
  ignoredStreamMessages: number;
  lateReplies: number;
}

interface PendingCall {
  program: ProgramInfo;
  procedure: ProcedureInfo;
  onReply: ((value: unknown) => void) | undefined;
  resolve(value: unknown): void;
  reject(err: Error): void;
  cleanup(): void;
}

const SERIAL_MAX = 0xffffffff;

/**
 * One RPC conversation over a byte stream: serials, concurrent calls routed
 * by serial, events, keepalive, and one orderly death. It knows nothing of
 * URIs, auth or transports.
 */
export class RpcSession {
  readonly stats: SessionStats = { undecodableEvents: 0, ignoredEvents: 0, ignoredStreamMessages: 0, lateReplies: 0 };
  /** Resolves once, when the session is closed for any reason. */
  readonly closed: Promise<CloseInfo>;

  private readonly frames = new FrameDecoder();
  private readonly writer = new XdrWriter(4096);
  private readonly pending = new Map<number, PendingCall>();
  /** Serials of calls given up on (timeout, abort) whose reply may still come. */
  private readonly abandoned = new Set<number>();
  private readonly procedures = new Map<number, { program: ProgramInfo; byNumber: Map<number, ProcedureInfo> }>();
  private serial = 0;
  private closeInfo: CloseInfo | null = null;
  private resolveClosed!: (info: CloseInfo) => void;
  private outbox: Uint8Array[] = [];
  private keepalive: { timer: NodeJS.Timeout; sent: number } | null = null;
  private lastInbound = Date.now();
  private readonly streamClosed: Promise<void>;

  constructor(
    private readonly stream: Duplex,
    private readonly options: SessionOptions,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    for (const program of options.programs) {
      const byNumber = new Map(Object.values(program.procedures).map((p) => [p.number, p]));
      this.procedures.set(program.program, { program, byNumber });
    }
    stream.on("data", (chunk: Uint8Array) => this.onData(chunk));
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
    if (this.closeInfo !== null) return Promise.reject(this.closeInfo.error);
    if (options.signal?.aborted) return Promise.reject(abortError(procedure, options.signal));
    const serial = this.nextSerial();
    let frame: Uint8Array;
    try {
      frame = encodeMessage(this.writer, header(program, procedure.number, MessageType.VIR_NET_CALL, serial), procedure.args, args);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const { signal, timeout } = options;
      const onAbort = (): void => this.abandon(serial, abortError(procedure, signal!));
      const call: PendingCall = {
        program,
        procedure,
        onReply: options.onReply,
        resolve,
        reject,
        cleanup: () => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      this.pending.set(serial, call);
      if (timeout !== undefined) {
        timer = setTimeout(() => this.abandon(serial, new TimeoutError(`${procedure.name} timed out after ${timeout} ms`)), timeout);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.write(frame);
    });
  }

  /**
   * Client keepalive as libvirt's client does it: a PING after every
   * `interval` ms of silence, and the connection given up once the peer has
   * been silent for interval × (count + 1), i.e. `count` PINGs unanswered.
   */
  startKeepalive(interval: number, count: number): void {
    this.stopKeepalive();
    const ka = {
      sent: 0,
      // Ticking faster than the interval keeps the deadline within a quarter of it.
      timer: setInterval(() => {
        const silent = Date.now() - this.lastInbound;
        if (silent >= interval * (count + 1)) {
          this.shutdown("keepalive", `no reply to ${count} keepalive pings (${(silent / 1000).toFixed(1)} s of silence)`);
        } else if (silent >= interval * (ka.sent + 1)) {
          ka.sent++;
          this.sendKeepalive(KeepaliveProcedure.KEEPALIVE_PROC_PING);
        }
      }, Math.max(interval / 4, 10)),
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

  /** Closes at once with the given reason, as when the peer misbehaves. */
  destroy(reason: CloseReason, message: string, cause?: unknown): void {
    this.shutdown(reason, message, cause);
  }

  // ---- inbound ----

  private onData(chunk: Uint8Array): void {
    if (this.closeInfo !== null) return;
    this.lastInbound = Date.now();
    if (this.keepalive !== null) this.keepalive.sent = 0;
    try {
      for (const frame of this.frames.push(chunk)) {
        this.dispatch(decodeInbound(frame));
        if (this.closeInfo !== null) return;
      }
    } catch (e) {
      const err = e instanceof LibvirtRemoteError ? e : new ProtocolError(String(e), { cause: e });
      this.shutdown("error", err.message, err);
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
        // No stream is ever opened yet, so this is for an unknown stream: ignored.
        this.stats.ignoredStreamMessages++;
        return;
      case MessageType.VIR_NET_CALL:
      case MessageType.VIR_NET_CALL_WITH_FDS:
        throw new ProtocolError(`the daemon sent a call (program 0x${h.prog.toString(16)}, procedure ${h.proc})`);
    }
  }

  private onReply({ header: h, body }: Inbound): void {
    const call = this.pending.get(h.serial);
    if (call === undefined) {
      if (this.abandoned.delete(h.serial)) {
        this.stats.lateReplies++;
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
    call.cleanup();
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
      if (h.proc === KeepaliveProcedure.KEEPALIVE_PROC_PING) this.sendKeepalive(KeepaliveProcedure.KEEPALIVE_PROC_PONG);
      else if (h.proc !== KeepaliveProcedure.KEEPALIVE_PROC_PONG) throw new ProtocolError(`unknown keepalive procedure ${h.proc}`);
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
    this.options.onEvent?.({ program: known.program, procedure, body: decoded });
  }

  // ---- outbound ----

  private nextSerial(): number {
    this.serial = this.serial === SERIAL_MAX ? 1 : this.serial + 1;
    return this.serial;
  }

  private write(frame: Uint8Array): void {
    // Frames of one tick go out in one write; a lone frame goes out as it is.
    this.outbox.push(frame);
    if (this.outbox.length === 1) queueMicrotask(this.flush);
  }

  private readonly flush = (): void => {
    const frames = this.outbox;
    this.outbox = [];
    if (this.closeInfo !== null) return;
    this.stream.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  };

  private sendKeepalive(proc: number): void {
    if (this.closeInfo !== null) return;
    const h: Header = {
      prog: KEEPALIVE_PROGRAM,
      vers: KEEPALIVE_PROTOCOL_VERSION,
      proc,
      type: MessageType.VIR_NET_MESSAGE,
      serial: 0,
      status: MessageStatus.VIR_NET_OK,
    };
    this.write(encodeMessage(this.writer, h, null, undefined));
  }

  private abandon(serial: number, err: Error): void {
    const call = this.pending.get(serial);
    if (call === undefined) return;
    this.pending.delete(serial);
    this.abandoned.add(serial);
    call.cleanup();
    call.reject(err);
  }

  /** Closes the session once; the stream is destroyed unless `end()` is ending it in order. */
  private shutdown(reason: CloseReason, message: string, cause?: unknown, orderly = false): void {
    if (this.closeInfo !== null) return;
    const error = new ConnectionClosedError(reason, message, cause === undefined ? undefined : { cause });
    this.closeInfo = { reason, error };
    this.stopKeepalive();
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.abandoned.clear();
    for (const call of calls) {
      call.cleanup();
      call.reject(error);
    }
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
