import type { SecureVersion } from "node:tls";
import { OptionError } from "../errors.js";

/** What a GnuTLS priority string becomes on Node's OpenSSL. */
export interface TlsPriority {
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** OpenSSL cipher list for TLS 1.2 and below; TLS 1.3 suites are OpenSSL's defaults. */
  ciphers?: string;
}

const VERSIONS: readonly SecureVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
const VERSION_NAMES: Readonly<Record<string, SecureVersion>> = {
  "VERS-TLS1.0": "TLSv1",
  "VERS-TLS1.1": "TLSv1.1",
  "VERS-TLS1.2": "TLSv1.2",
  "VERS-TLS1.3": "TLSv1.3",
};

/** GnuTLS's base levels, as the nearest OpenSSL cipher strings. */
const LEVELS: Readonly<Record<string, string | null>> = {
  // OpenSSL's defaults are GnuTLS NORMAL's near equal.
  NORMAL: null,
  PERFORMANCE: null,
  SYSTEM: null,
  "@SYSTEM": null,
  "@LIBVIRT": null,
  LEGACY: null,
  PFS: "ECDHE:DHE:!aNULL:!eNULL",
  SECURE128: "HIGH:!aNULL:!eNULL:!3DES",
  SECURE192: "AES256:CHACHA20:!aNULL:!eNULL:!SHA1",
  SECURE256: "AES256:CHACHA20:!aNULL:!eNULL:!SHA1",
  SUITEB128: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384",
  SUITEB192: "ECDHE-ECDSA-AES256-GCM-SHA384",
};

/** Flags with no effect on what the client offers; accepted so common strings work. */
const HARMLESS = new Set(["%COMPAT", "%SERVER_PRECEDENCE", "%LATEST_RECORD_VERSION", "%UNSAFE_RENEGOTIATION", "%SAFE_RENEGOTIATION", "%PARTIAL_RENEGOTIATION"]);

/**
 * Reads libvirt's `tls_priority=` (a GnuTLS priority string) into what
 * node:tls can apply: a base level (NORMAL, PERFORMANCE, SECURE128,
 * SECURE192, SECURE256, PFS, SUITEB*, the system default) and protocol
 * versions (`-VERS-ALL`, `+VERS-TLS1.2`, `-VERS-TLS1.0`, ...), which must
 * leave one contiguous range since OpenSSL takes a minimum and a maximum.
 * Anything else (single cipher, MAC, key exchange or group changes) has no
 * faithful OpenSSL equivalent and is refused rather than ignored.
 */
export function parseTlsPriority(text: string): TlsPriority {
  const parts = text.split(":").map((p) => p.trim());
  const fail = (why: string): never => {
    throw new OptionError(`tls_priority=${JSON.stringify(text)}: ${why}`);
  };
  if (parts.length === 0 || parts[0] === "") fail("empty priority string");
  const result: TlsPriority = {};
  // libvirt's build default "@LIBVIRT,SYSTEM" lists fallbacks; the first known one counts.
  const base = parts[0]!.split(",").find((b) => b.toUpperCase() in LEVELS);
  if (base === undefined) fail(`unsupported base level '${parts[0]}' (supported: ${Object.keys(LEVELS).join(", ")})`);
  const level = LEVELS[base!.toUpperCase()];
  if (level !== null && level !== undefined) result.ciphers = level;
  const enabled = new Set<SecureVersion>(["TLSv1.2", "TLSv1.3"]);
  for (const part of parts.slice(1)) {
    const upper = part.toUpperCase();
    if (HARMLESS.has(upper)) continue;
    const sign = upper[0];
    const name = upper.slice(1);
    if ((sign === "+" || sign === "-" || sign === "!") && name === "VERS-ALL") {
      if (sign === "+") VERSIONS.forEach((v) => enabled.add(v));
      else enabled.clear();
      continue;
    }
    const version = VERSION_NAMES[name];
    if ((sign === "+" || sign === "-" || sign === "!") && version !== undefined) {
      if (sign === "+") enabled.add(version);
      else enabled.delete(version);
      continue;
    }
    fail(`'${part}' cannot be expressed with OpenSSL (only base levels and +/-VERS-TLS1.x are supported)`);
  }
  const on = VERSIONS.filter((v) => enabled.has(v));
  if (on.length === 0) fail("no protocol version left enabled");
  const first = VERSIONS.indexOf(on[0]!);
  const last = VERSIONS.indexOf(on[on.length - 1]!);
  if (last - first + 1 !== on.length) fail(`enabled versions ${on.join(", ")} are not one contiguous range`);
  result.minVersion = on[0]!;
  result.maxVersion = on[on.length - 1]!;
  return result;
}
