import type { VirNetMessageError } from "../gen/virnetprotocol.js";
import { VirErrorDomain, VirErrorLevel, VirErrorNumber } from "../gen/virterror.js";

/**
 * Base of every error this client raises itself. `code` is stable and
 * meant for programs; `message` is for people.
 */
export class LibvirtRemoteError extends Error {
  override name = "LibvirtRemoteError";
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The peer broke the protocol; the connection is closed with this error. */
export class ProtocolError extends LibvirtRemoteError {
  override name = "ProtocolError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_PROTOCOL", message, options);
  }
}

export type CloseReason = "error" | "eof" | "keepalive" | "client";

/** The connection is closed (or closed while the call was pending). */
export class ConnectionClosedError extends LibvirtRemoteError {
  override name = "ConnectionClosedError";
  readonly reason: CloseReason;
  constructor(reason: CloseReason, message: string, options?: ErrorOptions) {
    super("ERR_CLOSED", message, options);
    this.reason = reason;
  }
}

export class TimeoutError extends LibvirtRemoteError {
  override name = "TimeoutError";
  constructor(message: string) {
    super("ERR_TIMEOUT", message);
  }
}

export class AbortError extends LibvirtRemoteError {
  override name = "AbortError";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_ABORTED", message, options);
  }
}

/** Something this client does not do (yet), e.g. an auth scheme or a transport. */
export class UnsupportedError extends LibvirtRemoteError {
  override name = "UnsupportedError";
  constructor(message: string) {
    super("ERR_UNSUPPORTED", message);
  }
}

/**
 * Reaching the daemon failed below the RPC layer: the ssh command or an
 * in-process SSH session, a TLS handshake, the certificate check byte.
 * `transport` names the kind (`ssh`, `libssh2`, `tls`, `ext`, ...);
 * `stderr` holds what an external command printed, when there is one.
 */
export class TransportError extends LibvirtRemoteError {
  override name = "TransportError";
  readonly transport: string;
  readonly stderr: string | undefined;
  constructor(transport: string, message: string, options?: ErrorOptions & { code?: string; stderr?: string }) {
    super(options?.code ?? "ERR_TRANSPORT", message, options);
    this.transport = transport;
    this.stderr = options?.stderr;
  }
}

/** An option given to connect() or a call has the wrong type or value. */
export class OptionError extends LibvirtRemoteError {
  override name = "OptionError";
  constructor(message: string) {
    super("ERR_OPTION", message);
  }
}

/** A malformed or unknown connection URI. */
export class UriError extends LibvirtRemoteError {
  override name = "UriError";
  constructor(message: string) {
    super("ERR_URI", message);
  }
}

const byValue = (table: Record<string, number>): Map<number, string> =>
  new Map(Object.entries(table).map(([k, v]) => [v, k]));
let names: { code: Map<number, string>; domain: Map<number, string>; level: Map<number, string> } | undefined;

function errorNames(): NonNullable<typeof names> {
  names ??= { code: byValue(VirErrorNumber), domain: byValue(VirErrorDomain), level: byValue(VirErrorLevel) };
  return names;
}

/** `LibvirtError.code`: a misspelt name does not compile. */
export type LibvirtErrorCode = keyof typeof VirErrorNumber | `VIR_ERR_${number}`;

/**
 * An error the daemon reported: the whole `remote_error` it sent, with
 * symbolic names from libvirt's virterror.h (`VIR_ERR_NO_DOMAIN`,
 * `VIR_FROM_QEMU`). `code` is the symbolic name, `number` the raw one.
 */
export class LibvirtError extends LibvirtRemoteError {
  override name = "LibvirtError";
  /** A `VIR_ERR_*` name of virterror.h; `VIR_ERR_<n>` for a number newer than the pinned headers. */
  declare readonly code: LibvirtErrorCode;
  /** The procedure that failed (`REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME`). */
  readonly procedure: string;
  readonly number: number;
  /** Where the error arose: `VIR_FROM_*`. */
  readonly domain: string;
  readonly domainNumber: number;
  readonly level: string;
  readonly str1: string | null;
  readonly str2: string | null;
  readonly str3: string | null;
  readonly int1: number;
  readonly int2: number;
  /** Everything the daemon sent, as decoded. */
  readonly remote: VirNetMessageError;

  constructor(remote: VirNetMessageError, procedure: string) {
    const n = errorNames();
    super(n.code.get(remote.code) ?? `VIR_ERR_${remote.code}`, remote.message ?? `${procedure} failed (no message)`);
    this.procedure = procedure;
    this.number = remote.code;
    this.domainNumber = remote.domain;
    this.domain = n.domain.get(remote.domain) ?? `VIR_FROM_${remote.domain}`;
    this.level = n.level.get(remote.level) ?? String(remote.level);
    this.str1 = remote.str1;
    this.str2 = remote.str2;
    this.str3 = remote.str3;
    this.int1 = remote.int1;
    this.int2 = remote.int2;
    this.remote = remote;
  }
}
