import type { AuthOptions } from "../auth/credentials.js";
import { UnsupportedError } from "../rpc/errors.js";
import { DEFAULT_PORTS, unixSocketFor, uriParam, type ConnectionUri } from "../uri.js";
import { uriFlag } from "./params.js";
import type { TlsCredentials } from "./pki.js";
import { ExtTransport } from "./ext.js";
import { LibsshTransport } from "./libssh.js";
import { TcpTransport, UnixTransport } from "./socket.js";
import { SshTransport } from "./ssh.js";
import { TlsTransport } from "./tls.js";
import type { Transport } from "./transport.js";

/** What connect() knows that a transport may need besides the URI. */
export interface TransportOptions {
  readOnly: boolean;
  /** Credentials for transports that authenticate themselves (in-process SSH). */
  auth?: AuthOptions | undefined;
  /** PEM material instead of the pki files (`connect(uri, { tls })`). */
  tls?: Partial<TlsCredentials> | undefined;
}

/** The transport a URI asks for. */
export function transportFor(uri: ConnectionUri, options: TransportOptions): Transport {
  switch (uri.transport) {
    case "unix":
      return new UnixTransport(unixSocketFor(uri, options.readOnly).path);
    case "tcp":
      return new TcpTransport(uri.host ?? "localhost", uri.port ?? DEFAULT_PORTS.tcp!);
    case "tls":
      return new TlsTransport(uri.host ?? "localhost", uri.port ?? DEFAULT_PORTS.tls!, {
        pkipath: uriParam(uri, "pkipath"),
        credentials: options.tls,
        noVerify: uriFlag(uri, "no_verify"),
        noSanity: uriFlag(uri, "no_sanity"),
        priority: uriParam(uri, "tls_priority"),
      });
    case "ssh":
      return new SshTransport(uri, options);
    case "libssh":
    case "libssh2":
      return new LibsshTransport(uri, options, uri.transport);
    case "ext":
      return new ExtTransport(uri);
    default:
      throw new UnsupportedError(`transport '${uri.transport}' is not supported yet (unix and tcp are)`);
  }
}
