import { UnsupportedError } from "../errors.js";
import { DEFAULT_PORTS, unixSocketFor, uriParam, type ConnectionUri } from "../uri.js";
import { autostartPlan } from "./autostart-plan.js";
import { uriFlag } from "./params.js";
import type { TransportOptions } from "./options.js";
import { TcpTransport, UnixTransport } from "./socket.js";
import type { Transport } from "./transport.js";

export type { TransportOptions } from "./options.js";


/**
 * The transport a URI asks for. TLS, SSH, ext and the session daemon's
 * autostart are loaded when first dialled (node:tls, node:crypto and child
 * processes cost a program that never uses them start-up time); their URI
 * parameters are checked then, still before anything is dialled.
 */
export function transportFor(uri: ConnectionUri, options: TransportOptions): Transport {
  const host = uri.host ?? "localhost";
  switch (uri.transport) {
    case "unix": {
      const choice = unixSocketFor(uri, options.readOnly);
      const plan = autostartPlan(uri, choice, options.autostart);
      if (plan === null) return new UnixTransport(choice.path);
      return lazy(`unix:${choice.path}`, async () => new (await import("./autostart.js")).AutostartTransport(plan));
    }
    case "tcp":
      return new TcpTransport(host, uri.port ?? DEFAULT_PORTS.tcp!);
    case "tls": {
      const port = uri.port ?? DEFAULT_PORTS.tls!;
      return lazy(`tls:${hostPort(host, port)}`, async () => {
        const { TlsTransport } = await import("./tls.js");
        return new TlsTransport(host, port, {
          pkipath: uriParam(uri, "pkipath"),
          credentials: options.tls,
          noVerify: uriFlag(uri, "no_verify"),
          noSanity: uriFlag(uri, "no_sanity"),
          priority: uriParam(uri, "tls_priority"),
        });
      });
    }
    case "ssh":
      return lazy(`ssh:${uri.user === null ? "" : `${uri.user}@`}${hostPort(host, uri.port)}`, async () => new (await import("./ssh.js")).SshTransport(uri, options), !uriFlag(uri, "no_tty"));
    case "libssh":
    case "libssh2": {
      const flavour = uri.transport;
      return lazy(`${flavour}:${hostPort(host, uri.port)}`, async () => new (await import("./libssh.js")).LibsshTransport(uri, options, flavour), options.auth?.callback !== undefined);
    }
    case "ext":
      return lazy(`ext:${uriParam(uri, "command") ?? ""}`, async () => new (await import("./ext.js")).ExtTransport(uri), true);
    default:
      throw new UnsupportedError(`transport '${uri.transport}' is not supported`);
  }
}

function hostPort(host: string, port: number | null): string {
  return `${host.includes(":") ? `[${host}]` : host}${port === null ? "" : `:${port}`}`;
}

/** A transport whose module is imported on the first connect; the real one's description replaces the placeholder. */
function lazy(description: string, load: () => Promise<Transport>, mayPrompt = false): Transport {
  let real: Promise<Transport> | null = null;
  const t = {
    description,
    mayPrompt,
    async connect(signal?: AbortSignal) {
      real ??= load();
      const transport = await real;
      t.description = transport.description;
      return transport.connect(signal);
    },
  };
  return t;
}
