/**
 * What libvirt's remote driver answers itself rather than taking the
 * daemon's word (src/remote/remote_driver.c): whether the connection is
 * secure depends on the transport as well as on the daemon.
 */
import type { Client } from "../client/client.js";

/**
 * libvirt's `priv->is_secure`: TLS, a Unix socket and the SSH transports
 * are; plain TCP and `ext` are only once SASL has set up a security layer.
 */
export function transportIsSecure(client: Client): boolean {
  if (["tls", "unix", "ssh", "libssh", "libssh2"].includes(client.uri.transport)) return true;
  return (client.auth?.ssf ?? 0) > 0;
}
