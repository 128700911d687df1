import { UnsupportedError } from "../rpc/errors.js";
import { DEFAULT_PORTS, unixSocketFor, type ConnectionUri } from "../uri.js";
import { TcpTransport, UnixTransport } from "./socket.js";
import type { Transport } from "./transport.js";

/** The transport a URI asks for. */
export function transportFor(uri: ConnectionUri, readOnly: boolean): Transport {
  switch (uri.transport) {
    case "unix":
      return new UnixTransport(unixSocketFor(uri, readOnly).path);
    case "tcp":
      return new TcpTransport(uri.host ?? "localhost", uri.port ?? DEFAULT_PORTS.tcp!);
    default:
      throw new UnsupportedError(`transport '${uri.transport}' is not supported yet (unix and tcp are)`);
  }
}
