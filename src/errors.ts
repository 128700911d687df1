/**
 * The error taxonomy: one base class, `LibvirtRemoteError`, with a stable
 * `code` for programs and a `message` for people. This module is a leaf (it
 * imports nothing), so every layer can throw these without importing a layer
 * above it; the layers' own modules (rpc/errors.ts, auth/errors.ts, ...)
 * re-export them and add the errors only their layer raises.
 *
 * | class                 | code                                   | thrown when                                                              | defined in        |
 * | --------------------- | -------------------------------------- | ------------------------------------------------------------------------ | ----------------- |
 * | LibvirtRemoteError    | (any below)                            | never itself: `instanceof` catches every error of this package           | errors.ts         |
 * | UriError              | `ERR_URI`                              | a connection URI is malformed or names an unknown transport or parameter | errors.ts         |
 * | OptionError           | `ERR_OPTION`                           | an option of connect() or of a call has the wrong type or value          | errors.ts         |
 * | UnsupportedError      | `ERR_UNSUPPORTED`                      | a transport, auth scheme or feature this client does not do              | errors.ts         |
 * | ConnectError          | `ERR_CONNECT`, `ERR_NOT_LIBVIRT`       | the socket could not be opened (`cause`: the system error), or the peer  | errors.ts         |
 * |                       |                                        | answered with something that is not libvirt's protocol                   |                   |
 * | AutostartError        | `ERR_CONNECT` (a ConnectError)         | a session URI's absent daemon could not be started (`reason`, `daemon`)  | transport/autostart-error.ts |
 * | TransportError        | `ERR_TRANSPORT`, `ERR_TLS_*`           | reaching the daemon failed below the RPC layer (ssh, TLS)                | errors.ts         |
 * | ProtocolError         | `ERR_PROTOCOL`                         | the peer broke the wire protocol; the connection is closed with it       | errors.ts         |
 * | ConnectionClosedError | `ERR_CLOSED`                           | the connection closed before or while a call was pending (`reason`)      | errors.ts         |
 * | TimeoutError          | `ERR_TIMEOUT`                          | a call or a connect ran past its `timeout` (or `connectTimeout`)         | errors.ts         |
 * | AbortError            | `ABORT_ERR`                            | the caller's AbortSignal fired (`cause`: the signal's reason)            | errors.ts         |
 * | LibvirtError          | `VIR_ERR_*`                            | the daemon answered a call with an error (`remote_error`)                | rpc/errors.ts     |
 * | AuthError             | `ERR_AUTH_*`                           | authentication could not be negotiated or was refused                    | auth/errors.ts    |
 * | PolkitError           | `VIR_ERR_*` (a LibvirtError)           | polkit refused or could not ask                                          | auth/errors.ts    |
 * | ListenerError         | `ERR_LISTENER`                         | an event listener threw; reported, the dispatch goes on                  | events/errors.ts  |
 * | EventGapError         | `ERR_EVENT_GAP`                        | a reconnect happened while waiting for an event that may have been lost  | events/errors.ts  |
 * | FixtureError          | `ERR_FIXTURE`                          | a record/replay fixture is unreadable or a replay does not match         | recording/errors.ts |
 * | CaptureError          | `ERR_CAPTURE_*`                        | a packet capture cannot be imported as a fixture                         | recording/errors.ts |
 * | TypedParamError       | `ERR_TYPED_PARAM`                      | a typed parameter's value cannot be its field's type (before sending)    | api/errors.ts     |
 * | MigrateError          | `VIR_ERR_*` (libvirt's code)           | libvirt's client library would refuse the migration or a step's answer   | api/migrate.ts    |
 *
 * XdrError (`XDR_*`, xdr/errors.ts) is the codec's own error and does not
 * extend LibvirtRemoteError: arguments that do not encode throw it as it is;
 * a reply that does not decode reaches the caller as the `cause` of a
 * ProtocolError.
 */

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

/** The codes of the errors defined here. */
export type CoreErrorCode =
  | "ERR_PROTOCOL"
  | "ERR_CLOSED"
  | "ERR_TIMEOUT"
  | "ABORT_ERR"
  | ConnectErrorCode
  | "ERR_UNSUPPORTED"
  | "ERR_OPTION"
  | "ERR_URI"
  | TransportErrorCode;

/** `ERR_TRANSPORT`, or `ERR_TLS_<check>` for a TLS step or certificate check (`ERR_TLS_CA`, `ERR_TLS_HOSTNAME`, `ERR_TLS_FILE`, ...). */
export type TransportErrorCode = "ERR_TRANSPORT" | `ERR_TLS_${string}`;

/** The peer broke the protocol; the connection is closed with this error. */
export class ProtocolError extends LibvirtRemoteError {
  override name = "ProtocolError";
  declare readonly code: "ERR_PROTOCOL";
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_PROTOCOL", message, options);
  }
}

export type CloseReason = "error" | "eof" | "keepalive" | "client";

/** The connection is closed (or closed while the call was pending). */
export class ConnectionClosedError extends LibvirtRemoteError {
  override name = "ConnectionClosedError";
  declare readonly code: "ERR_CLOSED";
  readonly reason: CloseReason;
  constructor(reason: CloseReason, message: string, options?: ErrorOptions) {
    super("ERR_CLOSED", message, options);
    this.reason = reason;
  }
}

/**
 * `ERR_CONNECT`: the socket could not be opened (refused, no such socket,
 * unknown host, ...). `ERR_NOT_LIBVIRT`: something answered, but its first
 * reply is not libvirt's RPC protocol (an HTTP or SSH server on the port).
 */
export type ConnectErrorCode = "ERR_CONNECT" | "ERR_NOT_LIBVIRT";

/**
 * Connecting failed before any libvirt daemon answered, as opposed to a
 * ConnectionClosedError (a daemon that answered went away). The message is
 * libvirt's where libvirt has one ("unable to connect to server at
 * '127.0.0.1:1': Connection refused", "Failed to connect socket to
 * '/nonexistent': No such file or directory"); `cause` is Node's system
 * error (its `code`: `ECONNREFUSED`, `ENOENT`, ...) or, for
 * `ERR_NOT_LIBVIRT`, the ProtocolError the first reply raised.
 */
export class ConnectError extends LibvirtRemoteError {
  override name = "ConnectError";
  declare readonly code: ConnectErrorCode;
  /** What was dialled: `127.0.0.1:16509`, a socket path, or the transport's description. */
  readonly address: string;
  constructor(code: ConnectErrorCode, address: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.address = address;
  }
}

/** A call or a connect ran past its time limit. */
export class TimeoutError extends LibvirtRemoteError {
  override name = "TimeoutError";
  declare readonly code: "ERR_TIMEOUT";
  constructor(message: string) {
    super("ERR_TIMEOUT", message);
  }
}

/**
 * The caller's AbortSignal fired. Its code is Node's own for an abort
 * (`ABORT_ERR`, as fs, timers/promises and events.once reject with), its
 * `cause` the signal's reason: a DOMException named `TimeoutError` for
 * `AbortSignal.timeout()`, `AbortError` for a plain `abort()`.
 */
export class AbortError extends LibvirtRemoteError {
  override name = "AbortError";
  declare readonly code: "ABORT_ERR";
  constructor(message: string, options?: ErrorOptions) {
    super("ABORT_ERR", message, options);
  }
}

/** Something this client does not do (yet), e.g. an auth scheme or a transport. */
export class UnsupportedError extends LibvirtRemoteError {
  override name = "UnsupportedError";
  declare readonly code: "ERR_UNSUPPORTED";
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
  declare readonly code: TransportErrorCode;
  readonly transport: string;
  readonly stderr: string | undefined;
  constructor(transport: string, message: string, options?: ErrorOptions & { code?: TransportErrorCode; stderr?: string }) {
    super(options?.code ?? "ERR_TRANSPORT", message, options);
    this.transport = transport;
    this.stderr = options?.stderr;
  }
}

/** An option given to connect() or a call has the wrong type or value. */
export class OptionError extends LibvirtRemoteError {
  override name = "OptionError";
  declare readonly code: "ERR_OPTION";
  constructor(message: string) {
    super("ERR_OPTION", message);
  }
}

/** A malformed or unknown connection URI. */
export class UriError extends LibvirtRemoteError {
  override name = "UriError";
  declare readonly code: "ERR_URI";
  constructor(message: string) {
    super("ERR_URI", message);
  }
}
