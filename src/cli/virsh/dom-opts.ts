// How virsh's domain commands read their options beyond vsh.ts's helpers:
// scaled sizes, signed ints, non-empty strings, --live/--config/--current.

import type { Opts } from "../command.js";
import { CommandFailed } from "../vsh.js";
import { VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_AFFECT_CURRENT, VIR_DOMAIN_AFFECT_LIVE } from "../../gen/friendly/constants.js";
import type { OptDef } from "../command.js";

export const DOMAIN: OptDef = { name: "domain", type: "data", required: true };
export const bool = (name: string): OptDef => ({ name, type: "bool" });
/** VIRSH_COMMON_OPT_DOMAIN_CONFIG, _LIVE, _CURRENT, in virsh's usual order. */
export const CONFIG_LIVE_CURRENT: readonly OptDef[] = [bool("config"), bool("live"), bool("current")];
/** VIRSH_COMMON_OPT_LIVE, _CONFIG, _CURRENT, as the query-or-set commands order them. */
export const LIVE_CONFIG_CURRENT: readonly OptDef[] = [bool("live"), bool("config"), bool("current")];

/** VSH_EXCLUSIVE_OPTIONS_VAR on values the command computed. */
export function exclusiveVars(a: string, aSet: boolean, b: string, bSet: boolean): void {
  if (aSet && bSet) throw new CommandFailed([`Options --${a} and --${b} are mutually exclusive`]);
}

/** VSH_REQUIRE_OPTION_VAR. */
export function requireVar(a: string, aSet: boolean, b: string, bSet: boolean): void {
  if (aSet && !bSet) throw new CommandFailed([`Option --${b} is required by option --${a}`]);
}

/** The usual --current/--live/--config flags: current excludes the others; none given is VIR_DOMAIN_AFFECT_CURRENT. */
export function affectFlags(opts: Opts): number {
  exclusiveVars("current", opts.bool("current"), "live", opts.bool("live"));
  exclusiveVars("current", opts.bool("current"), "config", opts.bool("config"));
  return VIR_DOMAIN_AFFECT_CURRENT | (opts.bool("config") ? VIR_DOMAIN_AFFECT_CONFIG : 0) | (opts.bool("live") ? VIR_DOMAIN_AFFECT_LIVE : 0);
}

/** vshCommandOptStringReq: an option given empty is an error. */
export function nonEmpty(opts: Opts, name: string): string | undefined {
  const v = opts.string(name);
  if (v === "") throw new CommandFailed([`Failed to get option '${name}': Option argument is empty`]);
  return v;
}

const malformed = (text: string, name: string): CommandFailed => new CommandFailed([`Numeric value '${text}' for <${name}> option is malformed or out of range`]);

/** vshCommandOptInt (virStrToLong_i): a whole signed int. */
export function intOpt(opts: Opts, name: string): number | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(text)) throw malformed(text, name);
  const n = Number(text.trim());
  if (n < -(2 ** 31) || n > 2 ** 31 - 1) throw malformed(text, name);
  return n;
}

/** vshCommandOptLongLong (virStrToLong_ll). */
export function llOpt(opts: Opts, name: string): bigint | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(text)) throw malformed(text, name);
  const n = BigInt(text.trim());
  if (n < -(2n ** 63n) || n > 2n ** 63n - 1n) throw malformed(text, name);
  return n;
}

/**
 * vshCommandOptScaledInt: a number with an optional unit suffix (b, k,
 * KiB, MB, ... as virScaleInteger reads them), `scale` bytes per unit
 * without one, at most `max`. A bad suffix or an overflow also leaves
 * libvirt's own error, as virsh then reports it.
 */
export function scaledOpt(opts: Opts, name: string, scale: bigint, max: bigint): bigint | undefined {
  const text = opts.string(name);
  if (text === undefined) return undefined;
  const fail = (cause?: string): CommandFailed =>
    new CommandFailed([`Scaled numeric value '${text}' for <${name}> option is malformed or out of range`], cause === undefined ? undefined : { cause: new Error(cause) });
  const m = /^[ \t\n\v\f\r]*(\+?)(\d+)(.*)$/s.exec(text);
  if (m === null) throw fail();
  const value = BigInt(m[2]!);
  if (value > 0xffffffffffffffffn) throw fail();
  const scaled = scaleInteger(value, m[3]!, scale, max);
  if (typeof scaled === "string") throw fail(scaled);
  return scaled;
}

/**
 * virScaleInteger: `value` times the unit `suffix` names (b, k, KiB, MB,
 * ...; none: `scale`), at most `max`; else libvirt's error words.
 */
export function scaleInteger(value: bigint, suffix: string, scale: bigint, max: bigint): bigint | string {
  let unit = scale;
  if (suffix !== "") {
    const lower = suffix.toLowerCase();
    if (lower === "b" || lower === "byte" || lower === "bytes") unit = 1n;
    else {
      let base: bigint;
      if (suffix.length === 1 || lower.slice(1) === "ib") base = 1024n;
      else if (lower[1] === "b" && suffix.length === 2) base = 1000n;
      else return `invalid argument: unknown suffix '${suffix}'`;
      const power = "kmgtpe".indexOf(lower[0]!);
      if (power < 0) return `invalid argument: unknown suffix '${suffix}'`;
      unit = base ** BigInt(power + 1);
    }
  }
  if (value !== 0n && value > max / unit) return `numerical overflow: value too large: ${value}${suffix}`;
  return value * unit;
}

/** An error libvirt's client library raises before any call reaches the daemon, in its words. */
export function clientError(message: string, lines: readonly string[] = []): CommandFailed {
  return new CommandFailed(lines, { cause: new Error(message) });
}

/** libvirt's client check of a memory size in KiB: not zero, under off_t's bound. */
export function checkMemory(kib: bigint, fn: string, lines: readonly string[] = []): void {
  if (kib === 0n) throw clientError(`memory in ${fn} must not be zero`, lines);
  if (kib >= 9223372036854775807n / 1024n) throw clientError(`numerical overflow: input too large: ${kib}`, lines);
}

/** VIR_EXCLUSIVE_FLAGS_GOTO, which libvirt's client checks before the call: each pair as [flag, its C name]. */
export function exclusiveFlags(flags: number, pairs: readonly (readonly [number, string, number, string])[], lines: readonly string[] = []): void {
  for (const [a, aName, b, bName] of pairs) {
    if ((flags & a) !== 0 && (flags & b) !== 0) throw clientError(`Flags '${aName}' and '${bName}' are mutually exclusive`, lines);
  }
}
