/**
 * The package root's three ways in. Each loads its implementation (the
 * session, the transports, the generated protocol tables: a hundred-odd
 * modules) on its first call rather than at import, so `import` stays cheap
 * for programs that may never connect (bench/cold-start.ts measures it).
 * `libvirt-remote/client` and `libvirt-remote/admin` load the same code
 * eagerly, for those who would rather pay at import.
 */
import type { AdminClient, AdminConnectOptions } from "./admin/client.js";
import type { Connection } from "./api/connection.js";
import type { Client, ConnectOptions } from "./client/client.js";

/**
 * Connects to a daemon, as virConnectOpen does: the URI (default
 * LIBVIRT_DEFAULT_URI, then libvirt's own choice), its transport,
 * authentication, then CONNECT_OPEN. Gives the exact client: one method per
 * procedure, arguments and results as the protocol has them.
 */
export async function connect(uri?: string, options?: ConnectOptions): Promise<Client> {
  return (await import("./client/client.js")).connect(uri, options);
}

/**
 * Connects as {@link connect} does and gives the friendly connection: handles
 * (`await conn.domain("vm1")`), optional flags, typed parameters as plain
 * objects; the exact client stays reachable as `conn.raw`.
 */
export async function open(uri?: string, options?: ConnectOptions): Promise<Connection> {
  return (await import("./api/connection.js")).open(uri, options);
}

/**
 * Connects to a daemon's admin server, as virAdmConnectOpen: the URI
 * (default LIBVIRT_ADMIN_DEFAULT_URI, libvirt-admin.conf, then
 * `libvirtd:///system` or `///session`) names the admin Unix socket.
 */
export async function connectAdmin(uri?: string, options?: AdminConnectOptions): Promise<AdminClient> {
  return (await import("./admin/client.js")).connectAdmin(uri, options);
}
