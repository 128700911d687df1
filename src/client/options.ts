/**
 * What connect() and connectAdmin() take, and every check of it: an
 * OptionError names the first wrong option before anything is dialled. The
 * options both share (transport, keepalive, timeouts, record, reconnect)
 * are what the connection manager (manager.ts) runs on.
 */
import type { AuthOptions } from "../auth/credentials.js";
import type { Recorder } from "../recording/recorder.js";
import { OptionError } from "../rpc/errors.js";
import { checkSignal, checkTimeout, describe } from "../rpc/options.js";
import type { StreamFlowOptions } from "../rpc/session.js";
import type { AutostartOptions } from "../transport/options.js";
import type { TlsCredentials } from "../transport/pki.js";
import type { Transport } from "../transport/transport.js";
import type { ReconnectOptions, ReconnectPolicy } from "./reconnect.js";

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
  /** Aborts connecting: dialling, TLS or SSH set-up and the RPC handshake alike (an AbortError, code `ABORT_ERR`). */
  signal?: AbortSignal;
  /**
   * Milliseconds that connecting may take in all, every phase included (a
   * TimeoutError). Unset: DEFAULT_CONNECT_TIMEOUT (30 000) until the daemon
   * first answers (dial, TLS, its reply to the first call), so that a
   * silent peer fails instead of hanging, while authentication after it,
   * which may wait for a person (a SASL password, a polkit agent), is not
   * cut off; not applied where the set-up itself may prompt a person: `+ssh`
   * without `no_tty=1` (ssh's own ConnectTimeout bounds it), `+libssh`/
   * `+libssh2` given an `auth.callback`, `+ext`. `Infinity`: no limit, as
   * in libvirt.
   */
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
  /** Records every frame of the connection, both ways (see src/recording). */
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
  /**
   * Start the per-user daemon when a session URI's socket is absent, as
   * libvirt's client (and so virsh) does: `qemu:///session`, any other
   * `/session` URI, `test+...` URIs and the default URI, when not root,
   * over the Unix socket without `socket=`. The daemon (libvirtd, or
   * `virt<driver>d` when its socket is the one chosen) is looked up in
   * $VIRTD_PATH, else $LIBVIRTD_PATH, else /usr/sbin, and started with
   * `--timeout=120`; racing clients start one. On by default; `false` or
   * LIBVIRT_AUTOSTART=0 turns it off. A failure is an AutostartError.
   */
  autostart?: boolean | AutostartOptions;
}

export interface AdminConnectOptions {
  /** Reach the admin socket this way instead of the URI's Unix socket (tests, proxies). */
  transport?: Transport;
  /**
   * Client keepalive: a PING after `interval` seconds without a message
   * from the daemon, the connection closed after `count` unanswered (whole
   * numbers, as for connect()). Off by default, as libvirt-admin never
   * starts it (its protocol has no feature query to ask first); every
   * libvirt daemon answers PINGs on its admin server all the same.
   */
  keepalive?: { interval: number; count: number } | false;
  /** Aborts connecting (an AbortError, code `ABORT_ERR`). */
  signal?: AbortSignal;
  /** Milliseconds that connecting may take in all; unset, DEFAULT_CONNECT_TIMEOUT until the daemon answers, as for connect(). */
  connectTimeout?: number;
  /** Default timeout of every call, in milliseconds. */
  timeout?: number;
  /** Take the URI literally, not as an `uri_aliases` name of libvirt-admin.conf (VIR_CONNECT_NO_ALIASES). */
  noAliases?: boolean;
  /** Records every frame of the connection, both ways (see src/recording). */
  record?: Recorder;
  /**
   * Make the connection again when it is lost (eof, error, keepalive), as
   * connect()'s `reconnect` does: the same policy, the same `disconnect`,
   * `reconnectFailed`, `reconnect` and `close` events. Off by default, as
   * in libvirt-admin.
   */
  reconnect?: boolean | ReconnectOptions;
}

/** libvirt's client defaults (virsh's keepalive_interval and keepalive_count). */
export const DEFAULT_KEEPALIVE = { interval: 5, count: 5 };

/** Every option of connect() checked, before anything is dialled: an OptionError names the first wrong one. */
export function checkConnectOptions(options: ConnectOptions): void {
  checkShared(options, "connect");
  if (options.readOnly !== undefined && typeof options.readOnly !== "boolean") throw new OptionError("connect: readOnly must be a boolean");
  checkAutostart(options.autostart);
  if (options.streams !== undefined) {
    if (options.streams === null || typeof options.streams !== "object") throw new OptionError("connect: streams must be an object ({ digLimit })");
    const dig: unknown = options.streams.digLimit;
    if (dig !== undefined && (typeof dig !== "number" || Number.isNaN(dig) || dig < 0)) {
      throw new OptionError(`connect: streams.digLimit must be a number of bytes, 0 or more, not ${typeof dig === "string" ? JSON.stringify(dig) : String(dig)}`);
    }
  }
}

/** libvirtd's --timeout is an int of seconds that must not overflow as milliseconds. */
const MAX_IDLE_TIMEOUT = Math.floor(0x7fffffff / 1000);

/** `autostart`: a boolean, or whole seconds of idleness (libvirtd's --timeout: 0 never exits) and milliseconds of waiting. */
function checkAutostart(option: unknown): void {
  if (option === undefined || typeof option === "boolean") return;
  if (option === null || typeof option !== "object") throw new OptionError(`connect: autostart must be a boolean or { idleTimeout, wait }, not ${describe(option)}`);
  const { idleTimeout, wait } = option as { idleTimeout?: unknown; wait?: unknown };
  if (idleTimeout !== undefined && (typeof idleTimeout !== "number" || !Number.isInteger(idleTimeout) || idleTimeout < 0 || idleTimeout > MAX_IDLE_TIMEOUT)) {
    throw new OptionError(`connect: autostart.idleTimeout must be a whole number of seconds from 0 (never exit) to ${MAX_IDLE_TIMEOUT}, not ${describe(idleTimeout)}`);
  }
  if (wait !== undefined && (typeof wait !== "number" || !Number.isFinite(wait) || wait < 0)) {
    throw new OptionError(`connect: autostart.wait must be a number of milliseconds, 0 or more, not ${describe(wait)}`);
  }
}

/** Every option of connectAdmin() checked, before anything is dialled. */
export function checkAdminOptions(options: AdminConnectOptions): void {
  checkShared(options, "connectAdmin");
  if (options.noAliases !== undefined && typeof options.noAliases !== "boolean") throw new OptionError("connectAdmin: noAliases must be a boolean");
}

/** What both take: the manager's options. */
function checkShared(options: ConnectOptions | AdminConnectOptions, what: string): void {
  if (options === null || typeof options !== "object") throw new OptionError(`${what}: options must be an object`);
  checkSignal(options.signal, what);
  checkTimeout(options.timeout, what);
  checkTimeout(options.connectTimeout, `${what} (connectTimeout)`);
  if (options.keepalive !== undefined) checkKeepalive(options.keepalive);
  reconnectPolicy(options.reconnect);
  if (options.transport !== undefined && typeof (options.transport as Partial<Transport>).connect !== "function") {
    throw new OptionError(`${what}: transport must have a connect(signal) method`);
  }
  if (options.record !== undefined && typeof (options.record as Partial<Recorder>).sent !== "function") {
    throw new OptionError(`${what}: record must be a Recorder`);
  }
}

/** libvirt's keepalive interval is an int of seconds that must not overflow as milliseconds (virKeepAliveStart); its count an unsigned int. */
const MAX_KEEPALIVE_INTERVAL = Math.floor(0x7fffffff / 1000);
const MAX_KEEPALIVE_COUNT = 0xffffffff;

/**
 * Keepalive as libvirt takes it (virConnectSetKeepAlive, virsh's -k/-K):
 * whole seconds and a whole count. An interval of 0 turns it off, as
 * virsh's `-k 0`; a negative one, a fraction or a count below 0 is
 * refused, as virsh refuses them: libvirt has no way to mean them.
 */
export function checkKeepalive(ka: unknown): { interval: number; count: number } | false {
  if (ka === false) return false;
  if (ka === null || typeof ka !== "object") throw new OptionError(`keepalive must be false or { interval, count }, not ${describe(ka)}`);
  const { interval, count } = ka as { interval?: unknown; count?: unknown };
  if (typeof interval !== "number" || !Number.isInteger(interval) || interval < 0) {
    throw new OptionError(`keepalive.interval must be a whole number of seconds, 0 (off) or more, not ${describe(interval)}`);
  }
  if (interval > MAX_KEEPALIVE_INTERVAL) throw new OptionError(`keepalive.interval ${interval} is too large (at most ${MAX_KEEPALIVE_INTERVAL} s)`);
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > MAX_KEEPALIVE_COUNT) {
    throw new OptionError(`keepalive.count must be a whole number, 0 or more, not ${describe(count)}`);
  }
  return interval === 0 ? false : { interval, count };
}

/** The policy for an option value, checked; null when reconnecting is off. */
export function reconnectPolicy(option: unknown): ReconnectPolicy | null {
  if (option === undefined || option === false) return null;
  const given = option === true ? {} : option;
  if (given === null || typeof given !== "object") {
    throw new OptionError("reconnect must be a boolean or { initialDelay, maxDelay, maxAttempts, stableAfter, whileDisconnected, permanentErrors }");
  }
  const o = given as Record<string, unknown>;
  const ms = (name: string, fallback: number, min: number): number => {
    const v = o[name];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || Number.isNaN(v) || v < min) throw new OptionError(`reconnect.${name} must be a number, ${min} or more, not ${String(v)}`);
    return v;
  };
  const policy: ReconnectPolicy = {
    initialDelay: ms("initialDelay", 250, 0),
    maxDelay: ms("maxDelay", 30_000, 0),
    maxAttempts: ms("maxAttempts", Infinity, 1),
    stableAfter: ms("stableAfter", 30_000, 0),
    whileDisconnected: "wait",
    permanentErrors: "close",
  };
  const mode = o["whileDisconnected"];
  if (mode !== undefined && mode !== "wait" && mode !== "fail") throw new OptionError(`reconnect.whileDisconnected must be "wait" or "fail", not ${String(mode)}`);
  if (mode === "fail") policy.whileDisconnected = "fail";
  const permanent = o["permanentErrors"];
  if (permanent !== undefined && permanent !== "close" && permanent !== "retry") throw new OptionError(`reconnect.permanentErrors must be "close" or "retry", not ${String(permanent)}`);
  if (permanent === "retry") policy.permanentErrors = "retry";
  if (!Number.isFinite(policy.initialDelay) || !Number.isFinite(policy.maxDelay)) throw new OptionError("reconnect delays must be finite");
  return policy;
}
