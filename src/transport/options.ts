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
}
