/**
 * The connection manager under both facades (`Client`, `AdminClient`):
 * dial → session → the facade's handshake hook → keepalive → reconnect.
 * It owns the session of the moment, routes calls to it (holding them
 * while a lost connection is made again), and ends once, with the reason.
 * It knows nothing of the facades: they give it hooks and an emitter.
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { AbortError, ConnectionClosedError, TimeoutError } from "../rpc/errors.js";
import { checkCallOptions, longTimeout, type LongTimeout } from "../rpc/options.js";
import { RpcSession, type CallOptions, type CloseInfo, type InboundEvent, type StreamFlowOptions } from "../rpc/session.js";
import type { FrameTap } from "../rpc/link.js";
import type { Transport } from "../transport/transport.js";
import type { ProcedureInfo, ProgramInfo } from "../xdr/index.js";
import { connectDeadline } from "./deadline.js";
import { notLibvirt } from "./not-libvirt.js";
import { isPermanentFailure } from "./permanent.js";
import { reconnectPolicy } from "./options.js";
import { BackoffStreak, sleep, type ReconnectFailedInfo, type ReconnectPolicy } from "./reconnect.js";

export interface DisconnectInfo extends CloseInfo {
  /** When the connection was lost. */
  at: Date;
  /** Milliseconds until the first attempt to connect again (growing while connections die young: see `stableAfter`). */
  retryIn: number;
}

export interface ReconnectInfo {
  /** Milliseconds from the loss to the new connection being open. */
  downtime: number;
  /** Attempts it took. */
  attempts: number;
}

/** What the manager tells its facade's listeners. */
export interface ManagerEvents {
  close: [CloseInfo];
  event: [InboundEvent];
  disconnect: [DisconnectInfo];
  reconnectFailed: [ReconnectFailedInfo];
  reconnect: [ReconnectInfo];
}

export type Keepalive = { interval: number; count: number };

/** What a facade brings: its protocol's programs, opening and closing. */
export interface ConnectionHooks {
  /** The programs the session decodes (replies and events). */
  readonly programs: readonly ProgramInfo[];
  /** The call close() makes before ending the socket (CONNECT_CLOSE). */
  readonly closeCall: { program: ProgramInfo; procedure: ProcedureInfo };
  /** The protocol's opening on a fresh session (auth, CONNECT_OPEN, ...), before any other call. */
  handshake(session: RpcSession, stream: Duplex, signal: AbortSignal | undefined): Promise<void>;
  /** Whether the daemon takes keepalive PINGs; asked only when keepalive is wanted. */
  keepaliveSupported(session: RpcSession, signal: AbortSignal | undefined): Promise<boolean>;
  /** The connection is open, keepalive as started (null: off). */
  opened?(session: RpcSession, keepalive: Keepalive | null): void;
  /**
   * A new connection replaced a lost one, calls go through again: make
   * again what lived on the old one (event registrations). Its failure is
   * the hook's to report; the reconnect stands.
   */
  reopened?(port: SessionPort): Promise<void> | undefined;
}

export interface ManagerOptions {
  transport: Transport;
  /** Checked already (checkKeepalive); false: off. */
  keepalive: Keepalive | false;
  /** `reconnect` as the user gave it. */
  reconnect?: unknown;
  connectTimeout?: number | undefined;
  /** Default timeout of every call. */
  timeout?: number | undefined;
  record?: FrameTap | undefined;
  streams?: StreamFlowOptions | undefined;
}

/** Who hears the manager: the facade's own emit. */
type Emit = (name: string, ...args: unknown[]) => boolean;

/**
 * One session's side of the connection, as the event dispatcher sees it:
 * its events and its close. A reconnect gives the dispatcher a new one, so
 * the old session's death never ends the subscriptions.
 */
export class SessionPort extends EventEmitter<{ event: [InboundEvent]; close: [CloseInfo] }> {
  /** How the session ended, once it has. */
  lost: CloseInfo | null = null;

  constructor(
    readonly session: RpcSession,
    private readonly manager: ConnectionManager,
  ) {
    super();
  }

  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown> {
    return this.session.call(program, procedure, args, options);
  }

  /** While this session is lost and the manager makes a new one (calls waiting meanwhile): settles when that ends. */
  reconnecting(): Promise<void> | null {
    return this.lost === null ? null : this.manager.whenBack();
  }
}

/** Set while the connection is being made again: what ended the last one, and who waits. */
interface Down {
  info: DisconnectInfo;
  waiters: Set<() => void>;
  stop: AbortController;
  back?: Promise<void>;
}

export class ConnectionManager {
  /** Resolves once, with the reason, when the connection ends for good. */
  readonly closed: Promise<CloseInfo>;
  session: RpcSession;
  port: SessionPort;
  /** The current session's byte stream. */
  stream: Duplex;
  private readonly policy: ReconnectPolicy | null;
  private readonly streak: BackoffStreak | null;
  private down: Down | null = null;
  private finalInfo: CloseInfo | null = null;
  /** close() has begun: the connection's end, whatever its reason, is the client's. */
  private closing = false;
  private resolveClosed!: (info: CloseInfo) => void;

  /** Over an already opened stream; `open()` makes the handshake on it. */
  constructor(
    stream: Duplex,
    private readonly hooks: ConnectionHooks,
    private readonly options: ManagerOptions,
    private readonly emit: Emit,
  ) {
    this.policy = reconnectPolicy(options.reconnect);
    this.streak = this.policy === null ? null : new BackoffStreak(this.policy);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.stream = stream;
    [this.session, this.port] = this.attach(stream);
  }

  get transport(): Transport {
    return this.options.transport;
  }

  /** True once ended for good (not while reconnecting). */
  get isClosed(): boolean {
    return this.finalInfo !== null;
  }

  /** True while the connection is lost and being made again. */
  get isReconnecting(): boolean {
    return this.down !== null;
  }

  /** The handshake on the first session, then keepalive; `heard` is told when the daemon first answers. */
  async open(signal: AbortSignal | undefined, heard?: () => void): Promise<void> {
    await this.handshake(this.session, this.stream, signal, heard);
    this.streak?.connected();
  }

  /**
   * Runs `fn` on the current session with the call's options (the default
   * timeout filled in); while reconnecting, once the connection is back,
   * within the call's own timeout and signal. After the end, the error
   * that ended it (the last session's own would hide why).
   */
  run<O extends CallOptions>(procedure: ProcedureInfo, options: O | undefined, fn: (session: RpcSession, options: O | undefined) => Promise<unknown>): Promise<unknown> {
    if (this.finalInfo !== null) return Promise.reject(this.finalInfo.error);
    const opts = this.withDefaultTimeout(options);
    if (this.down !== null) return this.callWhenBack(this.down, procedure, opts, (left) => this.run(procedure, left, fn));
    return fn(this.session, opts);
  }

  /** Sends the close call, waits for its reply, then closes the socket; stops reconnecting. */
  async close(): Promise<void> {
    if (this.finalInfo !== null) return;
    if (this.down !== null) {
      this.stopReconnecting("the connection was closed by the client");
      return;
    }
    // A connection lost from here on is not made again.
    this.closing = true;
    const { program, procedure } = this.hooks.closeCall;
    try {
      await this.session.call(program, procedure, undefined, { timeout: 5000 });
    } catch {
      // Closing anyway: a daemon that cannot answer is gone or broken.
    }
    await this.session.end();
  }

  /** Closes the socket at once, without telling the daemon; stops reconnecting. */
  destroy(): void {
    if (this.down !== null) this.stopReconnecting("the connection was destroyed by the client");
    else this.session.destroy("client", "the connection was destroyed by the client");
  }

  /**
   * While reconnecting with calls waiting (not `whileDisconnected:
   * "fail"`): settles once that ends, reconnected or given up. Null otherwise.
   */
  whenBack(): Promise<void> | null {
    const down = this.down;
    if (down === null || this.policy!.whileDisconnected === "fail") return null;
    // One promise for the whole outage, however many ask.
    down.back ??= new Promise((resolve) => down.waiters.add(resolve));
    return down.back;
  }

  /** A session over `stream`, its events and close routed through a port of its own. */
  private attach(stream: Duplex): [RpcSession, SessionPort] {
    let port: SessionPort | null = null;
    const session = new RpcSession(stream, {
      programs: [...this.hooks.programs],
      onEvent: (e) => {
        port?.emit("event", e);
        this.notify("event", e);
      },
      onClose: (info) => {
        port!.lost = info;
        this.onSessionClose(port!, info);
      },
      ...(this.options.record === undefined ? {} : { tap: this.options.record }),
      ...(this.options.streams === undefined ? {} : { streams: this.options.streams }),
    });
    port = new SessionPort(session, this);
    return [session, port];
  }

  /** The facade's handshake, then keepalive if wanted and the daemon takes it. */
  private async handshake(session: RpcSession, stream: Duplex, signal: AbortSignal | undefined, heard?: () => void): Promise<void> {
    if (heard !== undefined) session.whenHeard(heard);
    try {
      await this.hooks.handshake(session, stream, signal);
    } catch (e) {
      throw notLibvirt(session, this.transport.description, e) ?? e;
    }
    const wanted = this.options.keepalive;
    let keepalive: Keepalive | null = null;
    if (wanted !== false && (await this.hooks.keepaliveSupported(session, signal))) {
      keepalive = wanted;
      session.startKeepalive(wanted.interval * 1000, wanted.count);
    }
    this.hooks.opened?.(session, keepalive);
  }

  private withDefaultTimeout<O extends CallOptions>(options: O | undefined): O | undefined {
    const timeout = this.options.timeout;
    return options?.timeout === undefined && timeout !== undefined ? ({ ...options, timeout } as O) : options;
  }

  // ---- losing the connection, and making it again ----

  private onSessionClose(port: SessionPort, info: CloseInfo): void {
    if (port !== this.port || this.finalInfo !== null) return;
    if (this.policy === null || info.reason === "client" || this.closing) {
      this.finish(info);
      return;
    }
    const streak = this.streak!;
    streak.lost();
    const down: Down = { info: { ...info, at: new Date(), retryIn: streak.next() }, waiters: new Set(), stop: new AbortController() };
    this.down = down;
    void this.reconnectLoop(this.policy, streak, down);
    this.notify("disconnect", down.info);
  }

  private async reconnectLoop(policy: ReconnectPolicy, streak: BackoffStreak, down: Down): Promise<void> {
    let delay = down.info.retryIn;
    for (let attempt = 1; ; attempt++) {
      if (!(await sleep(delay, down.stop.signal))) return;
      let stream: Duplex | null = null;
      const deadline = connectDeadline({ signal: down.stop.signal, connectTimeout: this.options.connectTimeout }, this.options.transport);
      try {
        stream = await this.options.transport.connect(deadline.signal);
        const [session, port] = this.attach(stream);
        try {
          await this.handshake(session, stream, deadline.signal, deadline.heard);
        } catch (e) {
          session.destroy("error", "the handshake of a reconnect failed", e);
          throw deadline.explain(e);
        } finally {
          deadline.dispose();
        }
        if (down.stop.signal.aborted) {
          session.destroy("client", "the connection was closed by the client");
          return;
        }
        // It may have died in the same tick as its last handshake reply: its close was ignored (not yet the current port).
        if (port.lost !== null) throw port.lost.error;
        this.session = session;
        this.port = port;
        this.stream = stream;
        this.down = null;
        streak.connected();
        const reopened = this.hooks.reopened?.(port);
        for (const wake of down.waiters) wake();
        this.notify("reconnect", { downtime: Date.now() - down.info.at.getTime(), attempts: attempt });
        await reopened?.catch(() => undefined);
        return;
      } catch (e) {
        deadline.dispose();
        if (down.stop.signal.aborted) return;
        stream?.destroy();
        const error = e instanceof Error ? e : new Error(String(e));
        const permanent = isPermanentFailure(error);
        const stop = permanent && policy.permanentErrors === "close" ? "permanent" : attempt >= policy.maxAttempts ? "attempts" : null;
        delay = stop === null ? streak.next() : 0;
        this.notify("reconnectFailed", { attempt, error, permanent, retryIn: stop === null ? delay : null });
        if (stop === null) continue;
        // A listener may have closed the client meanwhile.
        if (down.stop.signal.aborted) return;
        const why =
          stop === "permanent"
            ? `reconnecting stopped, as retrying cannot cure this (reconnect.permanentErrors): ${error.message}`
            : `gave up reconnecting after ${attempt} attempts: ${error.message}`;
        this.down = null;
        this.finish({ reason: down.info.reason, error: new ConnectionClosedError(down.info.reason, why, { cause: error }) }, down.waiters);
        return;
      }
    }
  }

  /**
   * Emits to the program's listeners from inside the manager's own work (a
   * frame being handled, a reconnect being made): a listener that throws
   * must not close the connection or stop a reconnect, so its error is
   * reported as a process warning instead, as the event dispatcher does.
   */
  private notify<K extends keyof ManagerEvents>(name: K, ...args: ManagerEvents[K]): void {
    try {
      this.emit(name, ...args);
    } catch (e) {
      const detail = e instanceof Error ? e.stack : undefined;
      process.emitWarning(`a '${name}' listener of the libvirt-remote client threw: ${e instanceof Error ? e.message : String(e)}`, {
        code: "LIBVIRT_REMOTE_LISTENER",
        ...(detail === undefined ? {} : { detail }),
      });
    }
  }

  /** close() or destroy() while disconnected: no more attempts, the connection ends. */
  private stopReconnecting(message: string): void {
    const down = this.down!;
    this.down = null;
    down.stop.abort();
    this.finish({ reason: "client", error: new ConnectionClosedError("client", message) }, down.waiters);
  }

  /** A call made while disconnected: made once the connection is back, within its own timeout and signal. */
  private callWhenBack<O extends CallOptions>(down: Down, procedure: ProcedureInfo, options: O | undefined, again: (left: O | undefined) => Promise<unknown>): Promise<unknown> {
    if (this.policy!.whileDisconnected === "fail") return Promise.reject(down.info.error);
    try {
      checkCallOptions(options ?? {}, procedure.name);
    } catch (e) {
      return Promise.reject(e);
    }
    const started = Date.now();
    return new Promise<void>((resolve, reject) => {
      const { signal, timeout } = options ?? {};
      let timer: LongTimeout | undefined;
      const done = (): void => {
        down.waiters.delete(wake);
        timer?.cancel();
        signal?.removeEventListener("abort", onAbort);
      };
      const wake = (): void => {
        done();
        if (this.finalInfo !== null) reject(this.finalInfo.error);
        else resolve();
      };
      const onAbort = (): void => {
        done();
        reject(new AbortError(`${procedure.name} was aborted while reconnecting`, { cause: signal?.reason }));
      };
      if (signal?.aborted) return onAbort();
      down.waiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== undefined && timeout !== Infinity) {
        timer = longTimeout(() => {
          done();
          reject(new TimeoutError(`${procedure.name} timed out after ${timeout} ms while reconnecting`));
        }, timeout);
      }
    }).then(() => {
      const left = options?.timeout === undefined || options.timeout === Infinity ? options?.timeout : Math.max(0, options.timeout - (Date.now() - started));
      return again(left === undefined ? options : ({ ...options, timeout: left } as O));
    });
  }

  /** The end: once, with the reason; the port's listeners (the dispatcher) end, waiting calls reject. */
  private finish(info: CloseInfo, waiters: Iterable<() => void> = []): void {
    if (this.finalInfo !== null) return;
    this.finalInfo = info;
    // Its own close is ignored now that the connection has ended.
    if (!this.port.session.isClosed) this.port.session.destroy(info.reason, info.error.message, info.error.cause);
    // Settled before anyone is told, so that a listener that throws cannot leave `closed` or a waiting call pending.
    this.resolveClosed(info);
    for (const wake of waiters) wake();
    this.port.emit("close", info);
    this.notify("close", info);
  }
}

/**
 * Dials `transport` and opens what `wrap` builds over the stream (its
 * handshake), within the caller's signal and connect timeout (by default
 * DEFAULT_CONNECT_TIMEOUT until the daemon answers): the first connection
 * of connect() and connectAdmin(). A failed handshake destroys the
 * connection.
 */
export async function dial<T extends { open(signal: AbortSignal | undefined, heard?: () => void): Promise<void>; destroy(): void }>(
  transport: Transport,
  options: { signal?: AbortSignal | undefined; connectTimeout?: number | undefined },
  wrap: (stream: Duplex) => T,
): Promise<T> {
  const deadline = connectDeadline(options, transport);
  try {
    const stream = await transport.connect(deadline.signal);
    const opened = wrap(stream);
    try {
      await opened.open(deadline.signal, deadline.heard);
    } catch (e) {
      opened.destroy();
      throw e;
    }
    return opened;
  } catch (e) {
    throw deadline.explain(e);
  } finally {
    deadline.dispose();
  }
}
