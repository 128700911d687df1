import type { Duplex } from "node:stream";

/**
 * How to reach a daemon: one method that yields a connected byte stream.
 * Unix sockets, TCP, TLS and SSH differ only here; everything above works
 * on the stream.
 */
export interface Transport {
  /** For messages: `unix:/run/libvirt/libvirt-sock`, `tcp:127.0.0.1:16509`. */
  readonly description: string;
  /**
   * True when connecting may wait for a person: ssh's password,
   * passphrase or host-key question (unless `no_tty=1`), the in-process
   * SSH's credentials callback, a command (`ext`) that may ask anything. The default connect timeout is not applied then (ssh's own
   * `ConnectTimeout` bounds the network part); an explicit
   * `connectTimeout` still is.
   */
  readonly mayPrompt?: boolean;
  connect(signal?: AbortSignal): Promise<Duplex>;
}
