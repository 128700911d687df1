import type { Duplex } from "node:stream";
import type { ByteFilter } from "../rpc/link.js";
import type { CallOptions } from "../rpc/session.js";
import type { ConnectionUri } from "../uri.js";
import type { ProcedureInfo } from "../xdr/index.js";
import type { AuthOptions } from "./credentials.js";

// Its own module so the schemes (SASL, polkit) and negotiate.ts, which picks
// one of them, do not import each other.

/** What authentication needs of the connection being opened, and nothing more. */
export interface AuthContext {
  uri: ConnectionUri;
  /** The transport's stream: a TLSSocket gives the external security strength. */
  stream: Duplex;
  /** A call of the remote program over the connection being opened. */
  call(procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown>;
  /** Installs a negotiated security layer for every byte after the current reply. */
  setFilter(filter: ByteFilter): void;
  auth: AuthOptions | undefined;
  signal: AbortSignal | undefined;
}
