import type { Duplex } from "node:stream";

/**
 * How to reach a daemon: one method that yields a connected byte stream.
 * Unix sockets, TCP, TLS and SSH differ only here; everything above works
 * on the stream.
 */
export interface Transport {
  /** For messages: `unix:/run/libvirt/libvirt-sock`, `tcp:127.0.0.1:16509`. */
  readonly description: string;
  connect(signal?: AbortSignal): Promise<Duplex>;
}
