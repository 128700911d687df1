import { createConnection, type NetConnectOpts, type Socket } from "node:net";
import { AbortError, ConnectionClosedError } from "../rpc/errors.js";
import type { Transport } from "./transport.js";

/** Opens a net.Socket and settles once it is connected, failed or aborted. */
export function openSocket(options: NetConnectOpts, description: string, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError(`connecting to ${description} was aborted`, { cause: signal.reason }));
      return;
    }
    const socket = createConnection(options);
    const onAbort = (): void => {
      socket.destroy();
      reject(new AbortError(`connecting to ${description} was aborted`, { cause: signal?.reason }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      signal?.removeEventListener("abort", onAbort);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (err) => {
      signal?.removeEventListener("abort", onAbort);
      reject(new ConnectionClosedError("error", `cannot connect to ${description}: ${err.message}`, { cause: err }));
    });
  });
}

export class UnixTransport implements Transport {
  readonly description: string;
  constructor(readonly path: string) {
    this.description = `unix:${path}`;
  }

  connect(signal?: AbortSignal): Promise<Socket> {
    return openSocket({ path: this.path }, this.description, signal);
  }
}

export class TcpTransport implements Transport {
  readonly description: string;
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.description = `tcp:${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  async connect(signal?: AbortSignal): Promise<Socket> {
    const socket = await openSocket({ host: this.host, port: this.port }, this.description, signal);
    // Calls are small request/reply messages: Nagle would only add latency.
    socket.setNoDelay(true);
    return socket;
  }
}
