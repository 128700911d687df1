import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { VirConnectFlags } from "../gen/libvirt_host.js";
import { VirDrvFeature } from "../gen/libvirt_internal.js";
import { lxcProgram } from "../gen/lxc_protocol.js";
import { qemuProgram } from "../gen/qemu_protocol.js";
import { RemoteAuthType, remoteProgram } from "../gen/remote_protocol.js";
import { EventDispatcher } from "../events/dispatcher.js";
import type { Recorder } from "../fixtures/recorder.js";
import { UnsupportedError } from "../rpc/errors.js";
import { RpcSession, type CallOptions, type CloseInfo, type InboundEvent } from "../rpc/session.js";
import { transportFor } from "../transport/select.js";
import type { Transport } from "../transport/transport.js";
import { parseUri, type ConnectionUri } from "../uri.js";
import type { ProcedureInfo, ProgramInfo } from "../xdr/index.js";
import { callable, programApi, type ProgramApi } from "./api.js";

export interface ConnectOptions {
  /** Opens read-only, as virConnectOpenReadOnly (and the `-ro` system socket). */
  readOnly?: boolean;
  /** Reach the daemon this way instead of the URI's transport (tests, proxies). */
  transport?: Transport;
  /**
   * Client keepalive, as virConnectSetKeepAlive: a PING after `interval`
   * seconds of silence; the connection is closed after `count` unanswered.
   * Enabled only if the daemon supports it.
   */
  keepalive?: { interval: number; count: number };
  /** Aborts connecting (and the handshake calls). */
  signal?: AbortSignal;
  /** Default timeout of every call, in milliseconds. */
  timeout?: number;
  /** Register domain events with the legacy per-ID procedures, as against a daemon older than libvirt 1.2.1. */
  legacyEvents?: boolean;
  /** Records every frame of the connection, both ways (see src/fixtures). */
  record?: Recorder;
}

export interface ClientEvents {
  close: [CloseInfo];
  event: [InboundEvent];
}

/**
 * A connection to a libvirt daemon. Every callable procedure of the remote
 * program is a method (`domainLookupByName`); the QEMU and LXC programs are
 * on `qemu` and `lxc`.
 */
export class Client extends EventEmitter<ClientEvents> {
  readonly uri: ConnectionUri;
  readonly transport: Transport;
  readonly qemu: ProgramApi<typeof qemuProgram>;
  readonly lxc: ProgramApi<typeof lxcProgram>;
  /** Resolves once, with the reason, when the connection is closed. */
  readonly closed: Promise<CloseInfo>;
  /** Keepalive in effect, if the daemon agreed to it. */
  keepalive: { interval: number; count: number } | null = null;

  private readonly session: RpcSession;
  private readonly defaultTimeout: number | undefined;
  private readonly legacyEvents: boolean;
  private dispatcher: EventDispatcher | null = null;

  /** Use `connect()`; this wraps an already opened stream. */
  constructor(stream: Duplex, uri: ConnectionUri, transport: Transport, options: ConnectOptions = {}) {
    super();
    this.uri = uri;
    this.transport = transport;
    this.defaultTimeout = options.timeout;
    this.legacyEvents = options.legacyEvents === true;
    this.session = new RpcSession(stream, {
      programs: [remoteProgram, qemuProgram, lxcProgram],
      onEvent: (e) => this.emit("event", e),
      onClose: (info) => this.emit("close", info),
    });
    this.closed = this.session.closed;
    this.qemu = programApi(qemuProgram, this);
    this.lxc = programApi(lxcProgram, this);
  }

  /** libvirt's events: `await conn.events.subscribe("domain", "lifecycle", e => ...)`. */
  get events(): EventDispatcher {
    this.dispatcher ??= new EventDispatcher(this, { legacy: this.legacyEvents });
    return this.dispatcher;
  }

  get isClosed(): boolean {
    return this.session.isClosed;
  }

  /** What the session dropped or ignored (undecodable events, late replies). */
  get stats(): RpcSession["stats"] {
    return this.session.stats;
  }

  /** Calls any procedure of any program this client speaks. */
  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown> {
    if (procedure.annotations.readstream !== undefined || procedure.annotations.writestream !== undefined) {
      return Promise.reject(new UnsupportedError(`${procedure.name} uses a data stream, which this client does not support yet`));
    }
    const opts = options?.timeout === undefined && this.defaultTimeout !== undefined ? { ...options, timeout: this.defaultTimeout } : options;
    return this.session.call(program, procedure, args, opts);
  }

  /** Sends CONNECT_CLOSE, waits for its reply, then closes the socket. */
  async close(): Promise<void> {
    if (this.session.isClosed) return;
    try {
      await this.connectClose({ timeout: 5000 });
    } catch {
      // Closing anyway: a daemon that cannot answer is gone or broken.
    }
    await this.session.end();
  }

  /** Closes the socket at once, without telling the daemon. */
  destroy(): void {
    this.session.destroy("client", "the connection was destroyed by the client");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal The handshake: auth list, open, keepalive. */
  async open(options: ConnectOptions): Promise<void> {
    const call = { ...(options.signal === undefined ? {} : { signal: options.signal }) };
    const { types } = await this.authList(call);
    if (types.length > 0 && !types.includes(RemoteAuthType.REMOTE_AUTH_NONE)) {
      const names = types.map((t) => Object.entries(RemoteAuthType).find(([, v]) => v === t)?.[0] ?? String(t));
      throw new UnsupportedError(`the daemon requires authentication (${names.join(", ")}), which this client does not support yet`);
    }
    const flags = options.readOnly === true ? VirConnectFlags.VIR_CONNECT_RO : 0;
    await this.connectOpen({ name: this.uri.name === "" ? null : this.uri.name, flags }, call);
    if (options.keepalive !== undefined) {
      const { supported } = await this.connectSupportsFeature(
        { feature: VirDrvFeature.VIR_DRV_FEATURE_PROGRAM_KEEPALIVE },
        call,
      );
      if (supported === 1) {
        this.keepalive = options.keepalive;
        this.session.startKeepalive(options.keepalive.interval * 1000, options.keepalive.count);
      }
    }
  }
}

// The remote program's methods live on the prototype, one per procedure.
export interface Client extends ProgramApi<typeof remoteProgram> {}
for (const [method, procedure] of callable(remoteProgram)) {
  Object.defineProperty(Client.prototype, method, {
    value:
      procedure.args === null
        ? function (this: Client, options?: CallOptions) {
            return this.call(remoteProgram, procedure, undefined, options);
          }
        : function (this: Client, args: unknown, options?: CallOptions) {
            return this.call(remoteProgram, procedure, args, options);
          },
  });
}

/**
 * Connects to a daemon, as virConnectOpen does: URI (default
 * LIBVIRT_DEFAULT_URI), transport, auth, CONNECT_OPEN.
 */
export async function connect(uri?: string, options: ConnectOptions = {}): Promise<Client> {
  const parsed = parseUri(uri);
  const transport = options.transport ?? transportFor(parsed, options.readOnly === true);
  const opened = await transport.connect(options.signal);
  const stream = options.record === undefined ? opened : options.record.tap(opened);
  const client = new Client(stream, parsed, transport, options);
  try {
    await client.open(options);
  } catch (e) {
    client.destroy();
    throw e;
  }
  return client;
}
