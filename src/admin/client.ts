import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { adminProgram } from "../gen/admin_protocol.js";
import { callable, type ProgramApi } from "../client/api.js";
import { ConnectionManager, dial, type DisconnectInfo, type ReconnectInfo } from "../client/manager.js";
import { checkAdminOptions, checkKeepalive, type AdminConnectOptions } from "../client/options.js";
import type { ReconnectFailedInfo } from "../client/reconnect.js";
import type { CallOptions, CloseInfo, RpcSession } from "../rpc/session.js";
import { UnixTransport } from "../transport/socket.js";
import type { Transport } from "../transport/transport.js";
import type { ProcedureInfo } from "../xdr/index.js";
import { resolveAdminUri, type AdminUri } from "./uri.js";

export type { AdminConnectOptions } from "../client/options.js";

export interface AdminClientEvents {
  /**
   * Once, with the reason: `eof` when the daemon goes away, `client` after
   * close(). When reconnecting: after the last of `maxAttempts`, or at the
   * first failure that retrying cannot cure.
   */
  close: [CloseInfo];
  /** The connection was lost and will be made again (`reconnect` option). */
  disconnect: [DisconnectInfo];
  /** One attempt to make it again failed, with why; after the last, `close` follows. */
  reconnectFailed: [ReconnectFailedInfo];
  /** It is back: calls go through. */
  reconnect: [ReconnectInfo];
}

/**
 * A connection to a daemon's admin server, as virAdmConnectOpen makes it.
 * Every procedure of libvirt's admin program is a method
 * (`connectListServers`, `serverListClients`, `clientClose`, ...).
 */
export class AdminClient extends EventEmitter<AdminClientEvents> {
  readonly uri: AdminUri;
  readonly transport: Transport;
  /** Resolves once, with the reason, when the connection is closed for good. */
  readonly closed: Promise<CloseInfo>;
  /** Keepalive in effect, if asked for. */
  keepalive: { interval: number; count: number } | null = null;

  private readonly manager: ConnectionManager;

  /** Use `connectAdmin()`; this wraps an already opened stream. */
  constructor(stream: Duplex, uri: AdminUri, transport: Transport, options: AdminConnectOptions = {}) {
    super();
    this.uri = uri;
    this.transport = transport;
    this.manager = new ConnectionManager(
      stream,
      {
        programs: [adminProgram],
        closeCall: { program: adminProgram, procedure: adminProgram.procedures.connectClose },
        // libvirt-admin's whole handshake: no auth on the admin socket. Flags are virConnectFlags
        // without NO_ALIASES, which only ever mattered to the client; none other applies.
        handshake: async (session, _stream, signal) => {
          await session.call(adminProgram, adminProgram.procedures.connectOpen, { flags: 0 }, signal === undefined ? {} : { signal });
        },
        // The admin protocol has no feature query; every daemon's admin server answers PINGs.
        keepaliveSupported: async () => true,
        opened: (_session, keepalive) => (this.keepalive = keepalive),
      },
      {
        transport,
        keepalive: checkKeepalive(options.keepalive ?? false),
        reconnect: options.reconnect,
        connectTimeout: options.connectTimeout,
        timeout: options.timeout,
        record: options.record,
      },
      (name, ...args) => (this.emit as (event: string, ...a: unknown[]) => boolean)(name, ...args),
    );
    this.closed = this.manager.closed;
  }

  /** True once closed for good (not while reconnecting). */
  get isClosed(): boolean {
    return this.manager.isClosed;
  }

  /** True while the connection is lost and being made again. */
  get isReconnecting(): boolean {
    return this.manager.isReconnecting;
  }

  /** What the session dropped or ignored. */
  get stats(): RpcSession["stats"] {
    return this.manager.session.stats;
  }

  /** Calls any admin procedure; while reconnecting, once the connection is back (as Client's calls). */
  call(procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown> {
    return this.manager.run(procedure, options, (session, opts) => session.call(adminProgram, procedure, args, opts));
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

  /** @internal CONNECT_OPEN, then keepalive if asked for. */
  open(signal: AbortSignal | undefined, heard?: () => void): Promise<void> {
    return this.manager.open(signal, heard);
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
  return dial(transport, options, (stream) => new AdminClient(stream, parsed, transport, options));
}
