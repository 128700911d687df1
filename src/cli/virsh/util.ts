// What several virsh commands share: looking objects up as virsh does, and
// printing numbers and strings as C's printf prints them.

import type { Client } from "../../client/client.js";
import type { AdminTypedParamValue } from "../../gen/admin_protocol.js";
import type { RemoteNonnullDomain, RemoteNonnullStoragePool, RemoteTypedParamValue } from "../../gen/remote_protocol.js";
import { CommandFailed } from "../vsh.js";
import { VirTypedParameterType } from "../../gen/libvirt_common.js";

/** virUUIDParse: leading blanks, 32 hex digits with dashes anywhere between pairs, trailing blanks. */
export function parseUuid(text: string): Uint8Array | null {
  const t = text.replace(/^\s+/, "").replace(/\s+$/, "");
  const out = new Uint8Array(16);
  let p = 0;
  for (let i = 0; i < 16; i++) {
    while (t[p] === "-") p++;
    const pair = t.slice(p, p + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return null;
    out[i] = parseInt(pair, 16);
    p += 2;
  }
  return p === t.length ? out : null;
}

/** A fixed char array from the wire (node model, security model): up to its first NUL. */
export function cString(chars: readonly number[]): string {
  const end = chars.indexOf(0);
  return Buffer.from((end < 0 ? chars : chars.slice(0, end)).map((c) => c & 0xff)).toString("utf8");
}

/**
 * printf("%.Nf") as glibc prints it: from the double's exact decimal
 * value, a tie rounded to even (toFixed would round it up).
 */
export function fixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "inf" : value < 0 ? "-inf" : "nan";
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mant |= 1n << 52n;
  const exp = (biased === 0 ? 1 : biased) - 1075;
  // value = mant * 2^exp = num / 10^scale, exactly.
  let num: bigint;
  let scale: number;
  if (exp >= 0) {
    num = mant << BigInt(exp);
    scale = 0;
  } else {
    num = mant * 5n ** BigInt(-exp);
    scale = -exp;
  }
  let q: bigint;
  if (scale <= digits) {
    q = num * 10n ** BigInt(digits - scale);
  } else {
    const div = 10n ** BigInt(scale - digits);
    q = num / div;
    const twice = (num % div) * 2n;
    if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
  }
  const text = q.toString().padStart(digits + 1, "0");
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return neg ? `-${body}` : body;
}

/** vshPrettyCapacity with "%.2lf %s". */
export function prettyCapacity(bytes: bigint): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  const val = Number(bytes);
  let limit = 1024;
  for (let i = 0; i < units.length - 1; i++, limit *= 1024) {
    if (val < limit) return `${fixed(i === 0 ? val : val / (limit / 1024), 2)} ${units[i]}`;
  }
  return `${fixed(val / (limit / 1024), 2)} ${units[units.length - 1]}`;
}

/** vshGetTypedParamValue, for virsh and virt-admin alike: as C's printf prints each type; booleans as yes/no. */
export function typedParamValue(v: RemoteTypedParamValue | AdminTypedParamValue): string {
  switch (v.type) {
    case VirTypedParameterType.VIR_TYPED_PARAM_INT:
      return String(v.i);
    case VirTypedParameterType.VIR_TYPED_PARAM_UINT:
      return String(v.ui);
    case VirTypedParameterType.VIR_TYPED_PARAM_LLONG:
      return String(v.l);
    case VirTypedParameterType.VIR_TYPED_PARAM_ULLONG:
      return String(v.ul);
    case VirTypedParameterType.VIR_TYPED_PARAM_DOUBLE:
      return fixed(v.d, 6);
    case VirTypedParameterType.VIR_TYPED_PARAM_BOOLEAN:
      return v.b !== 0 ? "yes" : "no";
    case VirTypedParameterType.VIR_TYPED_PARAM_STRING:
      return v.s;
  }
}

/** virsh's lookup flags: which ways a name may be read. */
export interface LookupWays {
  id?: boolean;
  uuid?: boolean;
  name?: boolean;
  /** The word is a list's item (domstats' domains), not the --domain option, whose empty value virsh refuses before any lookup. */
  item?: boolean;
}

/**
 * virshCommandOptDomainBy then virshLookupDomainInternal: an empty --domain
 * is refused; by ID when the word is a number, by UUID when it is as long
 * as one, then by name; the library's error is dropped and virsh's one
 * line remains.
 */
export async function lookupDomain(c: Client, word: string, ways: LookupWays = { id: true, uuid: true, name: true }): Promise<RemoteNonnullDomain> {
  if (word === "" && ways.item !== true) throw new CommandFailed(["Failed to get option 'domain': Option argument is empty"]);
  if (ways.id === true && /^\s*[+-]?\d+$/.test(word)) {
    const id = Number(word);
    if (id >= 0 && id <= 2 ** 31 - 1) {
      const r = await c.domainLookupById({ id }).catch(() => null);
      if (r !== null) return r.dom;
    }
  }
  if (ways.uuid === true && word.length === 36) {
    const uuid = parseUuid(word);
    if (uuid !== null) {
      const r = await c.domainLookupByUuid({ uuid }).catch(() => null);
      if (r !== null) return r.dom;
    }
  }
  if (ways.name === true) {
    const r = await c.domainLookupByName({ name: word }).catch(() => null);
    if (r !== null) return r.dom;
  }
  throw new CommandFailed([`failed to get domain '${word}'`]);
}

/** virshCommandOptPoolBy: by UUID, then name; here the library's error stays, as in virsh. */
export async function lookupPool(c: Client, word: string): Promise<RemoteNonnullStoragePool> {
  let last: unknown;
  if (word.length === 36) {
    const uuid = parseUuid(word);
    if (uuid === null) last = new Error(`invalid UUID '${word}'`);
    else {
      try {
        return (await c.storagePoolLookupByUuid({ uuid })).pool;
      } catch (e) {
        last = e;
      }
    }
  }
  try {
    return (await c.storagePoolLookupByName({ name: word })).pool;
  } catch (e) {
    last = e;
  }
  throw new CommandFailed([`failed to get pool '${word}'`], { cause: last });
}

/** The ID virsh prints: "-" for an inactive domain. */
export function idText(dom: RemoteNonnullDomain): string {
  return dom.id === -1 ? "-" : String(dom.id);
}

/** strcasecmp, as virsh sorts names. */
export function caseCompare(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Runs `step`; if it fails, virsh's line for it comes before the library's error. */
export async function step<T>(line: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new CommandFailed([line], { cause: e });
  }
}

/** vshStringToArray: commas separate, a doubled comma is a literal one. */
export function stringToArray(text: string): string[] {
  return text.split(/(?<!,),(?!,)/).map((s) => s.replace(/,,/g, ","));
}

/** strerror's words for the errno codes reading a file meets (Node's messages add the call and path). */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
  ELOOP: "Too many levels of symbolic links",
  ENAMETOOLONG: "File name too long",
  EOVERFLOW: "Value too large for defined data type",
};

function errnoWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined ? ERRNO_WORDS[code] : undefined) ?? (e instanceof Error ? e.message : String(e));
}

/** VSH_MAX_XML_FILE: virsh reads no XML file larger than this. */
const MAX_XML_FILE = 10 * 1024 * 1024;

/**
 * virFileReadAll as virsh's *-define/*-create commands call it: opening and
 * reading fail with their own words (a directory opens, then fails to read).
 */
export async function readXmlFile(path: string): Promise<string> {
  const { open } = await import("node:fs/promises");
  const handle = await open(path, "r").catch((e: unknown) => {
    throw new CommandFailed([`Failed to open file '${path}': ${errnoWords(e)}`]);
  });
  try {
    const data = await handle.readFile().catch((e: unknown) => {
      throw new CommandFailed([`Failed to read file '${path}': ${errnoWords(e)}`]);
    });
    if (data.length > MAX_XML_FILE) throw new CommandFailed([`Failed to read file '${path}': ${ERRNO_WORDS["EOVERFLOW"]!}`]);
    return data.toString("utf8");
  } finally {
    await handle.close();
  }
}

/** vshCommandOptStringReq: an option given as '' is refused with vsh's words; absent is undefined. */
export function stringReq(opts: { string(name: string): string | undefined }, name: string): string | undefined {
  const value = opts.string(name);
  if (value === "") throw new CommandFailed([`Failed to get option '${name}': Option argument is empty`]);
  return value;
}
