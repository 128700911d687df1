import { AuthError, PolkitError } from "../auth/errors.js";
import { ConnectError, LibvirtError, OptionError, TransportError, UnsupportedError, UriError, type LibvirtErrorCode } from "../rpc/errors.js";

/**
 * The daemon's verdicts on who we are or what we may do: the same
 * credentials get the same answer until someone changes a configuration.
 */
const REFUSALS: ReadonlySet<LibvirtErrorCode> = new Set<LibvirtErrorCode>([
  "VIR_ERR_AUTH_FAILED",
  "VIR_ERR_AUTH_CANCELLED",
  "VIR_ERR_AUTH_UNAVAILABLE",
  "VIR_ERR_ACCESS_DENIED",
]);

/** ssh's own words when the server refuses us or we refuse the server (its exit status is 255 for these and for a network failure alike). */
const SSH_REFUSALS = /Permission denied \(|Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|Too many authentication failures/;

/** The in-process SSH transport's messages for a refused login or host key (src/transport/libssh.ts). */
const LIBSSH_REFUSALS = /^SSH host key verification failed|^the SSH host key of .* is not in|^SSH host key for .* was not accepted|^SSH authentication as .* failed: permission denied/;

/**
 * Whether a failed attempt to connect would fail the same way when tried
 * again, so that retrying only hammers the daemon: the daemon refused our
 * credentials or denied access, a certificate was rejected (either side's),
 * an auth scheme or option this client cannot do, something other than a
 * libvirt daemon at the address. What a restarting daemon, a network fault
 * or a full server causes (refused or reset connections, a socket not yet
 * there, EOF, timeouts, a broken TLS handshake, protocol errors) is not.
 */
export function isPermanentFailure(error: unknown): boolean {
  // A daemon that is restarting refuses or has no socket yet; an HTTP server on its port stays one.
  if (error instanceof ConnectError) return error.code === "ERR_NOT_LIBVIRT";
  if (error instanceof AuthError) {
    // A security layer's bytes that failed to decode are damage on the wire, not a verdict.
    return error.code !== "ERR_AUTH_LAYER";
  }
  // polkit that could not be asked at all (polkitd down) may answer next time.
  if (error instanceof PolkitError && error.outcome === "failed") return false;
  if (error instanceof LibvirtError) return REFUSALS.has(error.code);
  if (error instanceof TransportError) {
    // Every TLS check (our files, the daemon's certificate, its verdict on ours) but the handshake itself, which a dying peer also breaks.
    if (error.code.startsWith("ERR_TLS_")) return error.code !== "ERR_TLS_HANDSHAKE";
    if (error.transport === "ssh") return SSH_REFUSALS.test(error.stderr ?? "");
    if (error.transport === "libssh" || error.transport === "libssh2") return LIBSSH_REFUSALS.test(error.message);
    return false;
  }
  return error instanceof UnsupportedError || error instanceof OptionError || error instanceof UriError;
}
