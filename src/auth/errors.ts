import { LibvirtError, LibvirtRemoteError } from "../rpc/errors.js";

/**
 * Why this client gave up authenticating, before or beside the daemon's own
 * verdict (which arrives as a LibvirtError, VIR_ERR_AUTH_FAILED).
 *
 * - `ERR_AUTH_NO_MECHANISM`: the daemon offers no SASL mechanism this client has
 *   (or that meets the security requirement); `offered` lists the daemon's.
 * - `ERR_AUTH_TOO_WEAK`: a mechanism or layer below the minimum strength.
 * - `ERR_AUTH_CREDENTIALS`: credentials were needed and nobody gave them.
 * - `ERR_AUTH_SERVER`: the daemon's side of the exchange is malformed or did
 *   not prove it knows the secret (mutual authentication failed).
 * - `ERR_AUTH_UNSUPPORTED`: an auth scheme or `auth=` value this client cannot do.
 * - `ERR_AUTH_CONFIG`: auth.conf is unreadable or inconsistent.
 * - `ERR_AUTH_LAYER`: the security layer's bytes failed to decode (MAC, sequence, padding).
 *
 * Messages never hold a password or a SASL payload.
 */
export type AuthErrorCode =
  | "ERR_AUTH_NO_MECHANISM"
  | "ERR_AUTH_TOO_WEAK"
  | "ERR_AUTH_CREDENTIALS"
  | "ERR_AUTH_SERVER"
  | "ERR_AUTH_UNSUPPORTED"
  | "ERR_AUTH_CONFIG"
  | "ERR_AUTH_LAYER";

export class AuthError extends LibvirtRemoteError {
  override name = "AuthError";
  declare readonly code: AuthErrorCode;
  /** The daemon's mechanisms, for ERR_AUTH_NO_MECHANISM. */
  readonly offered: readonly string[];
  constructor(code: AuthErrorCode, message: string, options?: ErrorOptions & { offered?: readonly string[] }) {
    super(code, message, options);
    this.offered = options?.offered ?? [];
  }
}

/** What polkit said about the AUTH_POLKIT request. */
export type PolkitOutcome = "denied" | "not-authorized" | "cancelled" | "failed";

/**
 * The daemon refused AUTH_POLKIT: still the daemon's LibvirtError (code,
 * message, domain), with polkit's verdict named: `denied` by policy (a rule
 * said no), `not-authorized` (polkit wanted an authentication agent to ask
 * someone, and there is none), `cancelled` (the agent's user dismissed it),
 * `failed` (polkit could not be asked at all).
 */
export class PolkitError extends LibvirtError {
  override name = "PolkitError";
  readonly outcome: PolkitOutcome;
  constructor(from: LibvirtError) {
    super(from.remote, "REMOTE_PROC_AUTH_POLKIT");
    this.outcome =
      from.code === "VIR_ERR_AUTH_UNAVAILABLE"
        ? "not-authorized"
        : from.code === "VIR_ERR_AUTH_CANCELLED"
          ? "cancelled"
          : /denied by policy/.test(from.message)
            ? "denied"
            : "failed";
  }
}
