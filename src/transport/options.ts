import type { CredentialAnswers } from "./credentials.js";
import type { TlsCredentials } from "./pki.js";

// Apart from select.ts, which dials every transport: the transports that take
// these options import this module, not the one that imports them.

/** What connect() knows that a transport may need besides the URI. */
/** What connect() knows that a transport may need besides the URI. */
export interface TransportOptions {
  readOnly: boolean;
  /** Credentials for transports that authenticate themselves (in-process SSH). */
  auth?: CredentialAnswers | undefined;
  /** PEM material instead of the pki files (`connect(uri, { tls })`). */
  tls?: Partial<TlsCredentials> | undefined;
  /** Start the per-user daemon when a session URI's socket is absent (on unless false). */
  autostart?: boolean | AutostartOptions | undefined;
}

/** How a session daemon is started when its socket is absent. */
export interface AutostartOptions {
  /** Seconds the daemon stays up with no client before it exits (its --timeout; 0: never); libvirt's client uses 120. */
  idleTimeout?: number;
  /** Milliseconds to wait for the started daemon's socket to answer (default 20 000). */
  wait?: number;
}
