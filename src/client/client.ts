import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { VirConnectFlags } from "../gen/libvirt_host.js";
import { VirDrvFeature } from "../gen/libvirt_internal.js";
import { lxcProgram } from "../gen/lxc_protocol.js";
import { qemuProgram } from "../gen/qemu_protocol.js";
import { remoteProgram } from "../gen/remote_protocol.js";
import { authenticate, type AuthOutcome } from "../auth/negotiate.js";
import { EventDispatcher } from "../events/dispatcher.js";
import type { CallOptions, CloseInfo, InboundEvent, RpcSession } from "../rpc/session.js";
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
import { ConnectionManager, dial, type DisconnectInfo, type ReconnectInfo } from "./manager.js";
import { checkConnectOptions, checkKeepalive, DEFAULT_KEEPALIVE, type ConnectOptions } from "./options.js";
import type { ReconnectFailedInfo } from "./reconnect.js";

export type { ConnectOptions } from "./options.js";
export type { DisconnectInfo, ReconnectInfo } from "./manager.js";

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

  private readonly manager: ConnectionManager;
  private readonly options: ConnectOptions;
  private readonly legacyEvents: boolean;
  private dispatcher: EventDispatcher | null = null;

  /** Use `connect()`; this wraps an already opened stream. */
  constructor(stream: Duplex, uri: ConnectionUri, transport: Transport, options: ConnectOptions = {}) {
    super();
    this.uri = uri;
    this.transport = transport;
    this.options = options;
    this.legacyEvents = options.legacyEvents === true;
    this.manager = new ConnectionManager(
      stream,
      {
        programs: [remoteProgram, qemuProgram, lxcProgram],
        closeCall: { program: remoteProgram, procedure: remoteProgram.procedures.connectClose },
        handshake: (session, s, signal) => this.handshake(session, s, signal),
        keepaliveSupported: (session, signal) => supportsKeepalive(session, signal),
        opened: (session, keepalive) => {
          this.keepalive = keepalive;
          trace.opened(session.traceId, this.uri, this.auth, keepalive);
        },
        reopened: (port) => this.dispatcher?.reattach(port),
      },
      {
        transport,
        keepalive: checkKeepalive(options.keepalive ?? DEFAULT_KEEPALIVE),
        reconnect: options.reconnect,
        connectTimeout: options.connectTimeout,
        timeout: options.timeout,
        record: options.record,
        streams: options.streams,
      },
      (name, ...args) => (this.emit as (event: string, ...a: unknown[]) => boolean)(name, ...args),
    );
    this.closed = this.manager.closed;
    this.qemu = programApi(qemuProgram, this);
    this.lxc = programApi(lxcProgram, this);
  }

  /** libvirt's events: `await conn.events.subscribe("domain", "lifecycle", e => ...)`. */
  get events(): EventDispatcher {
    this.dispatcher ??= new EventDispatcher(this.manager.port, { legacy: this.legacyEvents });
    return this.dispatcher;
  }

  /** True once closed for good (not while reconnecting). */
  get isClosed(): boolean {
    return this.manager.isClosed;
  }

  /** True while the connection is lost and being made again. */
  get isReconnecting(): boolean {
    return this.manager.isReconnecting;
  }

  /** What the session dropped or ignored (undecodable events, late replies). */
  get stats(): RpcSession["stats"] {
    return this.manager.session.stats;
  }

  /** Calls any procedure of any program this client speaks. */
  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown> {
    // A stream procedure gives what its generated method gives (a Readable, a Duplex, ...); an upload needs callStream's input.
    if (streamKind(procedure) !== null) return this.callStream(program, procedure, args, undefined, options);
    return this.manager.run(procedure, options, (session, opts) => session.call(program, procedure, args, opts));
  }

  /**
   * Runs a stream procedure (see ProcedureMethod in client/api.ts): `input`
   * is what an upload sends. A stream lives on one connection: it is not
   * carried over a reconnect, and fails with the connection; one started
   * while reconnecting waits for the new connection, as calls do.
   */
  callStream(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, input: UploadSource | undefined, options?: StreamCallOptions): Promise<unknown> {
    return this.manager.run(procedure, options, (session, opts) => {
      // The stream machinery loads on the first stream call; later ones send their call in the same tick.
      if (streamProcedures !== null) return streamProcedures.callStream(session, program, procedure, args, input, opts);
      return loadStreamProcedures().then((m) => m.callStream(session, program, procedure, args, input, opts));
    });
  }

  /** Sends CONNECT_CLOSE, waits for its reply, then closes the socket; stops reconnecting. */
  close(): Promise<void> {
    return this.manager.close();
  }

  /** Closes the socket at once, without telling the daemon; stops reconnecting. */
  destroy(): void {
    this.manager.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal The handshake on the current session: auth, open, keepalive. */
  open(signal: AbortSignal | undefined, heard?: () => void): Promise<void> {
    return this.manager.open(signal, heard);
  }

  /** AUTH_LIST and authentication, CONNECT_OPEN: as libvirt's remote driver opens (keepalive is the manager's next step). */
  private async handshake(session: RpcSession, stream: Duplex, signal: AbortSignal | undefined): Promise<void> {
    const options = this.options;
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
    await session.call(remoteProgram, remoteProgram.procedures.connectOpen, { name: this.uri.name, flags }, signal === undefined ? {} : { signal });
  }
}

/** The remote driver's feature probe for keepalive, as libvirt's client asks before starting it. */
async function supportsKeepalive(session: RpcSession, signal: AbortSignal | undefined): Promise<boolean> {
  const feature = VirDrvFeature.VIR_DRV_FEATURE_PROGRAM_KEEPALIVE;
  const reply = (await session.call(remoteProgram, remoteProgram.procedures.connectSupportsFeature, { feature }, signal === undefined ? {} : { signal })) as {
    supported: number;
  };
  return reply.supported === 1;
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
  const transport = options.transport ?? transportFor(parsed, { readOnly: options.readOnly === true, auth: options.auth, tls: options.tls, autostart: options.autostart });
  trace.connecting(parsed);
  return dial(transport, options, (stream) => new Client(stream, parsed, transport, options));
}
