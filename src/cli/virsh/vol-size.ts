// Sizes as vol-create-as and vol-resize read them (virsh-volume.c's
// virshVolSize): strtoull's base-10 number, then virScaleInteger's suffix
// (b, k, KiB, KB, ... E: binary unless the suffix ends in a lone "B").

import { CommandFailed } from "../vsh.js";

const MAX = 2n ** 64n - 1n;
const POWERS = "kmgtpe";

/** The scale a suffix means, or the library's words for one it refuses. */
function scaleOf(suffix: string): bigint | string {
  if (suffix === "") return 1n;
  if (/^(b|bytes?)$/i.test(suffix)) return 1n;
  let base: bigint;
  if (suffix.length === 1 || suffix.slice(1).toLowerCase() === "ib") base = 1024n;
  else if (suffix.length === 2 && suffix[1]!.toLowerCase() === "b") base = 1000n;
  else return `invalid argument: unknown suffix '${suffix}'`;
  const power = POWERS.indexOf(suffix[0]!.toLowerCase());
  if (power < 0) return `invalid argument: unknown suffix '${suffix}'`;
  return base ** BigInt(power + 1);
}

/**
 * virshVolSize: the size in bytes, or "Malformed size TEXT" (with
 * virScaleInteger's own error where it gave one).
 */
export function volSize(text: string): bigint {
  const malformed = (...more: string[]): CommandFailed => new CommandFailed([`Malformed size ${text}`, ...more]);
  // strtoull: blanks, a sign, digits; a '-' or no digits or overflow is refused.
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (m === null || m[1] === "-") throw malformed();
  const value = BigInt(m[2]!);
  if (value > MAX) throw malformed();
  const suffix = text.slice(m[0].length);
  const scale = scaleOf(suffix);
  if (typeof scale === "string") throw malformed(scale);
  if (value !== 0n && value > MAX / scale) throw malformed(`numerical overflow: value too large: ${value}${suffix}`);
  return value * scale;
}
