/**
 * The friendly entry point: `const conn = await open("qemu:///system")`.
 * A Connection is the generated ConnectionApi (every procedure that is not
 * about one object, lookups that give handles) over a Client, which stays
 * reachable as `conn.raw` for the exact, one-method-per-procedure layer.
 */
import { connect, type Client, type ConnectOptions } from "../client/client.js";
import { ConnectionApi } from "../gen/friendly/connection.js";
import type { CallOptions, CloseInfo } from "../rpc/session.js";
import { transportIsSecure } from "./client-side.js";
import { Events } from "./events.js";

export class Connection extends ConnectionApi {
  private eventsApi: Events | null = null;

  constructor(raw: Client) {
    super(raw);
  }

  /** libvirt's events, taking handles as filters; `events.all()` watches every one. */
  get events(): Events {
    this.eventsApi ??= new Events(this.raw.events);
    return this.eventsApi;
  }

  /** Resolves once, with the reason, when the connection is closed for good. */
  get closed(): Promise<CloseInfo> {
    return this.raw.closed;
  }

  /**
   * The URI this connection was opened with, as libvirt's client answers
   * virConnectGetURI itself; the daemon is asked only when none was given.
   */
  override async uri(options?: CallOptions): Promise<string> {
    return this.raw.uri.driver === "" ? super.uri(options) : this.raw.uri.uri;
  }

  /** 1 when the daemon says so and the transport is secure too (TLS, Unix socket, SSH, a SASL layer), as libvirt's remote driver answers. */
  override async isSecure(options?: CallOptions): Promise<number> {
    const daemon = await super.isSecure(options);
    return daemon === 1 && transportIsSecure(this.raw) ? 1 : 0;
  }

  close(): Promise<void> {
    return this.raw.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.raw.close();
  }
}

/** Connects as `connect()` does (URI, else LIBVIRT_DEFAULT_URI) and gives the friendly connection. */
export async function open(uri?: string, options?: ConnectOptions): Promise<Connection> {
  return new Connection(await connect(uri, options));
}
