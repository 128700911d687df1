import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { VirConnectFlags } from "../gen/libvirt_host.js";
import { VirDrvFeature } from "../gen/libvirt_internal.js";
import { lxcProgram } from "../gen/lxc_protocol.js";
import { qemuProgram } from "../gen/qemu_protocol.js";
import { remoteProgram } from "../gen/remote_protocol.js";
import { authenticate, type AuthOutcome } from "../auth/negotiate.js";
import { EventDispatcher } from "../events/dispatcher.js";
import { AbortError, ConnectionClosedError, TimeoutError } from "../rpc/errors.js";
import { checkCallOptions, checkKeepalive, connectDeadline, longTimeout, type LongTimeout } from "../rpc/options.js";
import { RpcSession, type CallOptions, type CloseInfo, type InboundEvent } from "../rpc/session.js";
import * as trace from "../rpc/trace.js";
import { transportFor } from "../transport/select.js";
import type { Transport } from "../transport/transport.js";
import { parseUri, type ConnectionUri } from "../uri.js";
import type { ProcedureInfo, ProgramInfo } from "../xdr/index.js";
import { streamKind } from "../streams/kind.js";
import type { StreamCallOptions } from "../streams/procedures.js";
import type { UploadSource } from "../streams/send.js";
import { callable, methodFor, programApi } from "./api.js";
import type { LxcApi, QemuApi, RemoteApi } from "../gen/api/index.js";
import { checkConnectOptions, DEFAULT_KEEPALIVE, type ConnectOptions } from "./options.js";
import { isPermanentFailure } from "./permanent.js";
import { BackoffStreak, reconnectPolicy, sleep, type ReconnectFailedInfo, type ReconnectPolicy } from "./reconnect.js";

export type { ConnectOptions } from "./options.js";

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

export interface ClientEvents {
  /**
   * The client's end: once, with the reason. When reconnecting: after the
   * last of `maxAttempts`, or at the first failure that retrying cannot
   * cure; `error.cause` is then that attempt's error.
   */
  close: [CloseInfo];
  event: [InboundEvent];
  /** The connection was lost and will be made again (`reconnect` option). */
  disconnect: [DisconnectInfo];
  /**
   * One attempt to make it again failed, with why. After a permanent
   * failure (`permanent`, unless `permanentErrors: "retry"`) or the last of
   * `maxAttempts` (`retryIn` null), `close` follows.
   */
  reconnectFailed: [ReconnectFailedInfo];
  /** It is back: calls go through, subscriptions are registered again. */
  reconnect: [ReconnectInfo];
}

/**
 * One session's side of the client, as the event dispatcher sees it: its
 * events and its close. A reconnect gives the dispatcher a new one, so the
 * old session's death never ends the subscriptions.
 */
class SessionPort extends EventEmitter<{ event: [InboundEvent]; close: [CloseInfo] }> {
  /** How the session ended, once it has. */
  lost: CloseInfo | null = null;

  constructor(
    readonly session: RpcSession,
    private readonly client: Client,
  ) {
    super();
  }

  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown> {
    return this.session.call(program, procedure, args, options);
  }

  /** While this session is lost and the client makes a new one (calls waiting meanwhile): settles when that ends. */
  reconnecting(): Promise<void> | null {
    return this.lost === null ? null : this.client.whenBack();
  }
}

/**
 * A connection to a libvirt daemon. Every callable procedure of the remote
 * program is a method (`domainLookupByName`); the QEMU and LXC programs are
 * on `qemu` and `lxc`.
 */
export class Client extends EventEmitter<ClientEvents> {
  readonly uri: ConnectionUri;
  readonly transport: Transport;
  readonly qemu: QemuApi;
  readonly lxc: LxcApi;
  /** Resolves once, with the reason, when the client is closed for good. */
  readonly closed: Promise<CloseInfo>;
  /** Keepalive in effect, if the daemon agreed to it. */
  keepalive: { interval: number; count: number } | null = null;
  /** How the connection was authenticated (scheme, SASL mechanism, security layer). */
  auth: AuthOutcome | null = null;

  private session: RpcSession;
  private port: SessionPort;
  private stream: Duplex;
  private readonly options: ConnectOptions;
  private readonly defaultTimeout: number | undefined;
  private readonly legacyEvents: boolean;
  private readonly policy: ReconnectPolicy | null;
  private readonly streak: BackoffStreak | null;
  private dispatcher: EventDispatcher | null = null;
  /** Set while the connection is being made again: what ended the last one, and who waits. */
  private down: { info: DisconnectInfo; waiters: Set<() => void>; stop: AbortController; back?: Promise<void> } | null = null;
  private finalInfo: CloseInfo | null = null;
  /** close() has begun: the connection's end, whatever its reason, is the client's. */
  private closing = false;
  private resolveClosed!: (info: CloseInfo) => void;

  /** Use `connect()`; this wraps an already opened stream. */
  constructor(stream: Duplex, uri: ConnectionUri, transport: Transport, options: ConnectOptions = {}) {
    super();
    this.uri = uri;
    this.transport = transport;
    this.options = options;
    this.defaultTimeout = options.timeout;
    this.legacyEvents = options.legacyEvents === true;
    this.policy = reconnectPolicy(options.reconnect);
    this.streak = this.policy === null ? null : new BackoffStreak(this.policy);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.stream = stream;
    [this.session, this.port] = this.attach(stream);
    this.qemu = programApi(qemuProgram, this);
    this.lxc = programApi(lxcProgram, this);
  }

  /** libvirt's events: `await conn.events.subscribe("domain", "lifecycle", e => ...)`. */
  get events(): EventDispatcher {
    this.dispatcher ??= new EventDispatcher(this.port, { legacy: this.legacyEvents });
    return this.dispatcher;
  }

  /** True once closed for good (not while reconnecting). */
  get isClosed(): boolean {
    return this.finalInfo !== null;
  }

  /** True while the connection is lost and being made again. */
  get isReconnecting(): boolean {
    return this.down !== null;
  }

  /** What the session dropped or ignored (undecodable events, late replies). */
  get stats(): RpcSession["stats"] {
    return this.session.stats;
  }

  /** Calls any procedure of any program this client speaks. */
  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown> {
    // A stream procedure gives what its generated method gives (a Readable, a Duplex, ...); an upload needs callStream's input.
    if (streamKind(procedure) !== null) return this.callStream(program, procedure, args, undefined, options);
    // After a reconnect that ended, the last session's own error would hide why it ended.
    if (this.finalInfo !== null) return Promise.reject(this.finalInfo.error);
    const opts = this.withDefaultTimeout(options);
    if (this.down !== null) return this.callWhenBack(procedure, opts, (left) => this.call(program, procedure, args, left));
    return this.session.call(program, procedure, args, opts);
  }

  /**
   * Runs a stream procedure (see ProcedureMethod in client/api.ts): `input`
   * is what an upload sends. A stream lives on one connection: it is not
   * carried over a reconnect, and fails with the connection; one started
   * while reconnecting waits for the new connection, as calls do.
   */
  callStream(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, input: UploadSource | undefined, options?: StreamCallOptions): Promise<unknown> {
    if (this.finalInfo !== null) return Promise.reject(this.finalInfo.error);
    const opts = this.withDefaultTimeout(options);
    if (this.down !== null) return this.callWhenBack(procedure, opts, (left) => this.callStream(program, procedure, args, input, left));
    const session = this.session;
    // The stream machinery loads on the first stream call; later ones send their call in the same tick.
    if (streamProcedures !== null) return streamProcedures.callStream(session, program, procedure, args, input, opts);
    return loadStreamProcedures().then((m) => m.callStream(session, program, procedure, args, input, opts));
  }

  /** A call's options with the connection's default timeout where the call names none. */
  private withDefaultTimeout<O extends CallOptions>(options: O | undefined): O | undefined {
    return options?.timeout === undefined && this.defaultTimeout !== undefined ? ({ ...options, timeout: this.defaultTimeout } as O) : options;
  }

  /** Sends CONNECT_CLOSE, waits for its reply, then closes the socket; stops reconnecting. */
  async close(): Promise<void> {
    if (this.finalInfo !== null) return;
    if (this.down !== null) {
      this.stopReconnecting("the connection was closed by the client");
      return;
    }
    // A connection lost from here on is not made again.
    this.closing = true;
    try {
      await this.session.call(remoteProgram, remoteProgram.procedures.connectClose, undefined, { timeout: 5000 });
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

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal The handshake on the current session: auth, open, keepalive. */
  async open(signal: AbortSignal | undefined): Promise<void> {
    await this.handshake(this.session, this.stream, signal);
    this.streak?.connected();
  }

  /** A session over `stream`, its events and close routed through a port of its own. */
  private attach(stream: Duplex): [RpcSession, SessionPort] {
    let port: SessionPort | null = null;
    const session = new RpcSession(stream, {
      programs: [remoteProgram, qemuProgram, lxcProgram],
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

  /** AUTH_LIST and authentication, CONNECT_OPEN, keepalive: as libvirt's remote driver opens. */
  private async handshake(session: RpcSession, stream: Duplex, signal: AbortSignal | undefined): Promise<void> {
    const options = this.options;
    const call = signal === undefined ? {} : { signal };
    const P = remoteProgram.procedures;
    this.auth = await authenticate({
      uri: this.uri,
      stream,
      call: (procedure, args, opts) => session.call(remoteProgram, procedure, args, opts),
      setFilter: (filter) => session.setFilter(filter),
      auth: options.auth,
      signal,
    });
    const flags = options.readOnly === true ? VirConnectFlags.VIR_CONNECT_RO : 0;
    // Always a string, as libvirt's remote driver sends it: "" lets the daemon choose.
    await session.call(remoteProgram, P.connectOpen, { name: this.uri.name, flags }, call);
    const keepalive = checkKeepalive(options.keepalive ?? DEFAULT_KEEPALIVE);
    this.keepalive = null;
    if (keepalive !== false) {
      const { supported } = (await session.call(remoteProgram, P.connectSupportsFeature, { feature: VirDrvFeature.VIR_DRV_FEATURE_PROGRAM_KEEPALIVE }, call)) as {
        supported: number;
      };
      if (supported === 1) {
        this.keepalive = keepalive;
        session.startKeepalive(keepalive.interval * 1000, keepalive.count);
      }
    }
    trace.opened(session.traceId, this.uri, this.auth, this.keepalive);
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
    const down = { info: { ...info, at: new Date(), retryIn: streak.next() }, waiters: new Set<() => void>(), stop: new AbortController() };
    this.down = down;
    void this.reconnectLoop(this.policy, streak, down);
    this.notify("disconnect", down.info);
  }

  private async reconnectLoop(policy: ReconnectPolicy, streak: BackoffStreak, down: NonNullable<Client["down"]>): Promise<void> {
    let delay = down.info.retryIn;
    for (let attempt = 1; ; attempt++) {
      if (!(await sleep(delay, down.stop.signal))) return;
      let stream: Duplex | null = null;
      const deadline = connectDeadline({ signal: down.stop.signal, connectTimeout: this.options.connectTimeout });
      try {
        stream = await this.transport.connect(deadline.signal);
        const [session, port] = this.attach(stream);
        try {
          await this.handshake(session, stream, deadline.signal);
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
        const reattached = this.dispatcher?.reattach(port);
        for (const wake of down.waiters) wake();
        this.notify("reconnect", { downtime: Date.now() - down.info.at.getTime(), attempts: attempt });
        // Subscriptions that fail to register again are reported by the dispatcher itself.
        await reattached?.catch(() => undefined);
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
   * Emits to the program's listeners from inside the client's own work (a
   * frame being handled, a reconnect being made): a listener that throws
   * must not close the connection or stop a reconnect, so its error is
   * reported as a process warning instead, as the event dispatcher does.
   */
  private notify<K extends "event" | "disconnect" | "reconnect" | "reconnectFailed">(name: K, ...args: ClientEvents[K]): void {
    try {
      (this.emit as (event: string, ...a: unknown[]) => boolean)(name, ...args);
    } catch (e) {
      const detail = e instanceof Error ? e.stack : undefined;
      process.emitWarning(`a '${name}' listener of the libvirt-remote client threw: ${e instanceof Error ? e.message : String(e)}`, {
        code: "LIBVIRT_REMOTE_LISTENER",
        ...(detail === undefined ? {} : { detail }),
      });
    }
  }

  /** close() or destroy() while disconnected: no more attempts, the client ends. */
  private stopReconnecting(message: string): void {
    const down = this.down!;
    this.down = null;
    down.stop.abort();
    this.finish({ reason: "client", error: new ConnectionClosedError("client", message) }, down.waiters);
  }

  /**
   * @internal While reconnecting with calls waiting (not `whileDisconnected:
   * "fail"`): settles once that ends, reconnected or given up. Null otherwise.
   */
  whenBack(): Promise<void> | null {
    const down = this.down;
    if (down === null || this.policy!.whileDisconnected === "fail") return null;
    // One promise for the whole outage, however many ask.
    down.back ??= new Promise((resolve) => down.waiters.add(resolve));
    return down.back;
  }

  /** A call made while disconnected: made once the connection is back, within its own timeout and signal. */
  private callWhenBack<O extends CallOptions>(procedure: ProcedureInfo, options: O | undefined, again: (left: O | undefined) => Promise<unknown>): Promise<unknown> {
    const down = this.down!;
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

  /** The end: once, with the reason; the dispatcher ends its subscriptions, waiting calls reject. */
  private finish(info: CloseInfo, waiters: Iterable<() => void> = []): void {
    if (this.finalInfo !== null) return;
    this.finalInfo = info;
    // Its own close is ignored now that the client has ended.
    if (!this.port.session.isClosed) this.port.session.destroy(info.reason, info.error.message, info.error.cause);
    this.port.emit("close", info);
    this.emit("close", info);
    this.resolveClosed(info);
    for (const wake of waiters) wake();
  }
}

// The remote program's methods live on the prototype, one per procedure.
export interface Client extends RemoteApi {}
for (const [method, procedure] of callable(remoteProgram)) {
  Object.defineProperty(Client.prototype, method, { value: methodFor(remoteProgram, procedure, (self) => self as Client) });
}

let streamProcedures: typeof import("../streams/procedures.js") | null = null;
async function loadStreamProcedures(): Promise<typeof import("../streams/procedures.js")> {
  streamProcedures ??= await import("../streams/procedures.js");
  return streamProcedures;
}

/**
 * Connects to a daemon, as virConnectOpen does: URI (default
 * LIBVIRT_DEFAULT_URI), transport, auth, CONNECT_OPEN.
 */
export async function connect(uri?: string, options: ConnectOptions = {}): Promise<Client> {
  checkConnectOptions(options);
  const parsed = parseUri(uri);
  const transport = options.transport ?? transportFor(parsed, { readOnly: options.readOnly === true, auth: options.auth, tls: options.tls });
  const deadline = connectDeadline(options);
  trace.connecting(parsed);
  try {
    const stream = await transport.connect(deadline.signal);
    const client = new Client(stream, parsed, transport, options);
    try {
      await client.open(deadline.signal);
    } catch (e) {
      client.destroy();
      throw e;
    }
    return client;
  } catch (e) {
    throw deadline.explain(e);
  } finally {
    deadline.dispose();
  }
}
