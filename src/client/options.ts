import type { AuthOptions } from "../auth/credentials.js";
import type { Recorder } from "../fixtures/recorder.js";
import { OptionError } from "../rpc/errors.js";
import { checkKeepalive, checkSignal, checkTimeout } from "../rpc/options.js";
import type { StreamFlowOptions } from "../rpc/session.js";
import type { TlsCredentials } from "../transport/pki.js";
import type { Transport } from "../transport/transport.js";
import { reconnectPolicy, type ReconnectOptions } from "./reconnect.js";

export interface ConnectOptions {
  /** Opens read-only, as virConnectOpenReadOnly (and the `-ro` system socket). */
  readOnly?: boolean;
  /** Reach the daemon this way instead of the URI's transport (tests, proxies). */
  transport?: Transport;
  /**
   * Client keepalive, as virConnectSetKeepAlive: a PING after `interval`
   * seconds without a message from the daemon; the connection is closed
   * after `count` unanswered. Both are whole numbers, as libvirt's (an
   * OptionError otherwise). On by default with libvirt's defaults (5 s,
   * 5), as libvirt's client runs it when an event loop is there; `false`
   * (or an interval of 0, as virsh's `-k 0`) turns it off. Enabled only
   * if the daemon supports it.
   */
  keepalive?: { interval: number; count: number } | false;
  /** Aborts connecting: dialling, TLS or SSH set-up and the RPC handshake alike. */
  signal?: AbortSignal;
  /** Milliseconds that connecting may take in all, every phase included. */
  connectTimeout?: number;
  /** Default timeout of every call, in milliseconds. */
  timeout?: number;
  /** Register domain events with the legacy per-ID procedures, as against a daemon older than libvirt 1.2.1. */
  legacyEvents?: boolean;
  /**
   * TLS material as PEM strings or buffers, used instead of the pki files
   * that libvirt's client would read (`ca` is required, `cert`/`key` as a pair).
   */
  tls?: Partial<TlsCredentials>;
  /** Credentials, for the daemon's authentication and for transports that ask (in-process SSH). */
  auth?: AuthOptions;
  /** Records every frame of the connection, both ways (see src/fixtures). */
  record?: Recorder;
  /**
   * Make the connection again when it is lost (eof, error, keepalive), with
   * exponential backoff and jitter, and carry every event subscription over.
   * Each failed attempt is a `reconnectFailed` event; a failure that
   * retrying cannot cure (credentials refused, a certificate rejected, ...)
   * ends it, the client closing with that error as the cause. Off by
   * default, as in every libvirt client.
   */
  reconnect?: boolean | ReconnectOptions;
  /** Inbound flow control of data streams (how much a paused consumer may leave buffered). */
  streams?: StreamFlowOptions;
}

/** libvirt's client defaults (virsh's keepalive_interval and keepalive_count). */
export const DEFAULT_KEEPALIVE = { interval: 5, count: 5 };

/** Every option of connect() checked, before anything is dialled: an OptionError names the first wrong one. */
export function checkConnectOptions(options: ConnectOptions): void {
  if (options === null || typeof options !== "object") throw new OptionError("connect: options must be an object");
  checkSignal(options.signal, "connect");
  checkTimeout(options.timeout, "connect");
  checkTimeout(options.connectTimeout, "connect (connectTimeout)");
  if (options.keepalive !== undefined) checkKeepalive(options.keepalive);
  reconnectPolicy(options.reconnect);
  if (options.readOnly !== undefined && typeof options.readOnly !== "boolean") throw new OptionError("connect: readOnly must be a boolean");
  if (options.streams !== undefined) {
    if (options.streams === null || typeof options.streams !== "object") throw new OptionError("connect: streams must be an object ({ digLimit })");
    const dig: unknown = options.streams.digLimit;
    if (dig !== undefined && (typeof dig !== "number" || Number.isNaN(dig) || dig < 0)) {
      throw new OptionError(`connect: streams.digLimit must be a number of bytes, 0 or more, not ${typeof dig === "string" ? JSON.stringify(dig) : String(dig)}`);
    }
  }
  if (options.transport !== undefined && typeof (options.transport as Partial<Transport>).connect !== "function") {
    throw new OptionError("connect: transport must have a connect(signal) method");
  }
  if (options.record !== undefined && typeof (options.record as Partial<Recorder>).sent !== "function") {
    throw new OptionError("connect: record must be a Recorder");
  }
}

