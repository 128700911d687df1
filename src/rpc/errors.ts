import type { VirNetMessageError } from "../gen/virnetprotocol.js";
import { VirErrorDomain, VirErrorLevel, VirErrorNumber } from "../gen/virterror.js";

// The cross-layer errors live in the leaf module src/errors.ts (the taxonomy
// is documented there); the RPC layer re-exports them and adds LibvirtError,
// the daemon's own errors, which needs the generated virterror names.
import { LibvirtRemoteError } from "../errors.js";
export {
  AbortError,
  ConnectError,
  ConnectionClosedError,
  LibvirtRemoteError,
  OptionError,
  ProtocolError,
  TimeoutError,
  TransportError,
  UnsupportedError,
  UriError,
  type CloseReason,
  type ConnectErrorCode,
} from "../errors.js";

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
