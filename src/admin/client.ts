import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { adminProgram } from "../gen/admin_protocol.js";
import { callable, type ProgramApi } from "../client/api.js";
import type { Recorder } from "../fixtures/recorder.js";
import { OptionError } from "../rpc/errors.js";
import { checkKeepalive, checkSignal, checkTimeout, connectDeadline } from "../rpc/options.js";
import { RpcSession, type CallOptions, type CloseInfo } from "../rpc/session.js";
import { UnixTransport } from "../transport/socket.js";
import type { Transport } from "../transport/transport.js";
import type { ProcedureInfo } from "../xdr/index.js";
import { resolveAdminUri, type AdminUri } from "./uri.js";

export interface AdminConnectOptions {
  /** Reach the admin socket this way instead of the URI's Unix socket (tests, proxies). */
  transport?: Transport;
  /**
   * Client keepalive: a PING after `interval` seconds without a message
   * from the daemon, the connection closed after `count` unanswered. Off by
   * default, as libvirt-admin never starts it (its protocol has no feature
   * query to ask first); every libvirt daemon answers PINGs on its admin
   * server all the same.
   */
  keepalive?: { interval: number; count: number } | false;
  /** Aborts connecting. */
  signal?: AbortSignal;
  /** Milliseconds that connecting may take in all. */
  connectTimeout?: number;
  /** Default timeout of every call, in milliseconds. */
  timeout?: number;
  /** Take the URI literally, not as an `uri_aliases` name of libvirt-admin.conf (VIR_CONNECT_NO_ALIASES). */
  noAliases?: boolean;
  /** Records every frame of the connection, both ways (see src/fixtures). */
  record?: Recorder;
}

export interface AdminClientEvents {
  /** Once, with the reason: `eof` when the daemon goes away, `client` after close(). */
  close: [CloseInfo];
}

/**
 * A connection to a daemon's admin server, as virAdmConnectOpen makes it.
 * Every procedure of libvirt's admin program is a method
 * (`connectListServers`, `serverListClients`, `clientClose`, ...).
 */
export class AdminClient extends EventEmitter<AdminClientEvents> {
  readonly uri: AdminUri;
  readonly transport: Transport;
  /** Resolves once, with the reason, when the connection is closed. */
  readonly closed: Promise<CloseInfo>;
  /** Keepalive in effect, if asked for. */
  keepalive: { interval: number; count: number } | null = null;

  private readonly session: RpcSession;
  private readonly defaultTimeout: number | undefined;

  /** Use `connectAdmin()`; this wraps an already opened stream. */
  constructor(stream: Duplex, uri: AdminUri, transport: Transport, options: AdminConnectOptions = {}) {
    super();
    this.uri = uri;
    this.transport = transport;
    this.defaultTimeout = options.timeout;
    this.session = new RpcSession(stream, {
      programs: [adminProgram],
      onClose: (info) => this.emit("close", info),
      ...(options.record === undefined ? {} : { tap: options.record }),
    });
    this.closed = this.session.closed;
  }

  get isClosed(): boolean {
    return this.session.isClosed;
  }

  /** What the session dropped or ignored. */
  get stats(): RpcSession["stats"] {
    return this.session.stats;
  }

  /** Calls any admin procedure. */
  call(procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown> {
    const opts = options?.timeout === undefined && this.defaultTimeout !== undefined ? { ...options, timeout: this.defaultTimeout } : options;
    return this.session.call(adminProgram, procedure, args, opts);
  }

  /** Sends CONNECT_CLOSE, waits for its reply, then closes the socket. */
  async close(): Promise<void> {
    if (this.session.isClosed) return;
    try {
      await this.session.call(adminProgram, adminProgram.procedures.connectClose, undefined, { timeout: 5000 });
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

  /** @internal CONNECT_OPEN, then keepalive if asked for: libvirt-admin's whole handshake (no auth on the admin socket). */
  async open(options: AdminConnectOptions, signal: AbortSignal | undefined): Promise<void> {
    // Flags are virConnectFlags without NO_ALIASES, which only ever mattered to the client; none other applies.
    await this.session.call(adminProgram, adminProgram.procedures.connectOpen, { flags: 0 }, signal === undefined ? {} : { signal });
    const keepalive = checkKeepalive(options.keepalive ?? false);
    if (keepalive !== false) {
      this.keepalive = keepalive;
      this.session.startKeepalive(keepalive.interval * 1000, keepalive.count);
    }
  }
}

// The admin program's methods live on the prototype, one per procedure.
export interface AdminClient extends ProgramApi<typeof adminProgram> {}
for (const [method, procedure] of callable(adminProgram)) {
  Object.defineProperty(AdminClient.prototype, method, {
    value:
      procedure.args === null
        ? function (this: AdminClient, options?: CallOptions) {
            return this.call(procedure, undefined, options);
          }
        : function (this: AdminClient, args: unknown, options?: CallOptions) {
            return this.call(procedure, args, options);
          },
  });
}

/**
 * Connects to a daemon's admin server, as virAdmConnectOpen: the URI
 * (default LIBVIRT_ADMIN_DEFAULT_URI, libvirt-admin.conf, then
 * `libvirtd:///system` or `///session`) names the admin Unix socket, then
 * ADMIN_PROC_CONNECT_OPEN. The daemon admits only clients of its own uid.
 */
export async function connectAdmin(uri?: string, options: AdminConnectOptions = {}): Promise<AdminClient> {
  checkAdminOptions(options);
  const parsed = resolveAdminUri(uri, {}, options.noAliases === true);
  // libvirt-admin has no other transport: admin servers listen on Unix sockets only.
  const transport = options.transport ?? new UnixTransport(parsed.socket);
  const { signal, explain, dispose } = connectDeadline(options);
  try {
    const stream = await transport.connect(signal);
    const client = new AdminClient(stream, parsed, transport, options);
    try {
      await client.open(options, signal);
    } catch (e) {
      client.destroy();
      throw e;
    }
    return client;
  } catch (e) {
    throw explain(e);
  } finally {
    dispose();
  }
}

function checkAdminOptions(options: AdminConnectOptions): void {
  if (options === null || typeof options !== "object") throw new OptionError("connectAdmin: options must be an object");
  checkSignal(options.signal, "connectAdmin");
  checkTimeout(options.timeout, "connectAdmin");
  checkTimeout(options.connectTimeout, "connectAdmin (connectTimeout)");
  if (options.keepalive !== undefined) checkKeepalive(options.keepalive);
  if (options.transport !== undefined && typeof (options.transport as Partial<Transport>).connect !== "function") {
    throw new OptionError("connectAdmin: transport must have a connect(signal) method");
  }
  if (options.noAliases !== undefined && typeof options.noAliases !== "boolean") throw new OptionError("connectAdmin: noAliases must be a boolean");
}

