// How virsh's host, node device and interface commands read their number
// options (tools/vsh.c): the signed and scaled ones, whose words differ
// from vsh.ts's unsigned ones.

import type { Opts } from "../command.js";
import { CommandFailed } from "../vsh.js";

/** strtol/strtoll's whole-word base-10 number (virStrToLong_i, _ll): blanks, then a sign, then digits only. */
function signed(text: string, min: bigint, max: bigint): bigint | null {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(text);
  if (m === null) return null;
  const n = BigInt(m[1]!);
  return n < min || n > max ? null : n;
}

function malformed(text: string, name: string): CommandFailed {
  return new CommandFailed([`Numeric value '${text}' for <${name}> option is malformed or out of range`]);
}

/** vshCommandOptInt. */
export function intOpt(opts: Opts, name: string): number | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  const n = signed(text, -(2n ** 31n), 2n ** 31n - 1n);
  if (n === null) throw malformed(text, name);
  return Number(n);
}

/** vshCommandOptLongLong. */
export function llOpt(opts: Opts, name: string): bigint | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  const n = signed(text, -(2n ** 63n), 2n ** 63n - 1n);
  if (n === null) throw malformed(text, name);
  return n;
}

const POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * vshCommandOptScaledInt: a non-negative number (virStrToLong_ullp) with an
 * optional unit (virScaleInteger: none means `scale`, b/byte/bytes one, k,
 * KiB, KB, M, ...), at most `max`. A bad unit or an overflow also leaves
 * libvirt's own error, which virsh prints after its line.
 */
export function scaledOpt(opts: Opts, name: string, scale: bigint, max: bigint): bigint | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  const line = `Scaled numeric value '${text}' for <${name}> option is malformed or out of range`;
  const m = /^[ \t\n\v\f\r]*(\+?)(\d+)(.*)$/s.exec(text);
  if (m === null) throw new CommandFailed([line]);
  let value = BigInt(m[2]!);
  if (value > 2n ** 64n - 1n) throw new CommandFailed([line]);
  const suffix = m[3]!;
  let factor = scale;
  if (suffix !== "") {
    const lower = suffix.toLowerCase();
    if (lower === "b" || lower === "byte" || lower === "bytes") factor = 1n;
    else {
      const rest = suffix.slice(1);
      const base = rest === "" || rest.toLowerCase() === "ib" ? 1024n : rest.toLowerCase() === "b" ? 1000n : 0n;
      const power = POWERS[suffix[0]!.toLowerCase()];
      if (base === 0n || power === undefined) throw new CommandFailed([line], { cause: new Error(`invalid argument: unknown suffix '${suffix}'`) });
      factor = base ** BigInt(power);
    }
  }
  if (value !== 0n && value > max / factor) throw new CommandFailed([line], { cause: new Error(`numerical overflow: value too large: ${value}${suffix}`) });
  value *= factor;
  return value;
}
