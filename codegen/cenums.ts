import { XGenError, locAt } from "./errors.js";

/**
 * Enums of libvirt's public C headers (virterror.h, libvirt-domain.h, ...):
 * error codes and domains, event IDs, lifecycle details, graphics phases.
 * Only what those headers use is understood: `typedef enum {...} name;`
 * and `enum name {...};`, members with integer expressions over numbers,
 * earlier members, `<<`, `|`, `+`, `-`, `~` and parentheses.
 */
export interface CEnum {
  name: string;
  members: { name: string; value: number }[];
}

const ENUM = /\btypedef\s+enum\s*(\w*)\s*\{([^}]*)\}\s*(\w+)\s*;|\benum\s+(\w+)\s*\{([^}]*)\}\s*;/g;

/** `known` carries members across headers, which refer to each other's. */
export function parseCEnums(text: string, file: string, known = new Map<string, bigint>()): CEnum[] {
  const out: CEnum[] = [];
  for (const m of text.matchAll(ENUM)) {
    const name = m[3] ?? m[4]!;
    const body = m[2] ?? m[5]!;
    out.push({ name, members: members(body, known, locAt(text, m.index, file)) });
  }
  return out;
}

function members(body: string, known: Map<string, bigint>, loc: { file: string; line: number; col: number }): CEnum["members"] {
  const clean = body
    // Sentinels (`*_LAST`) exist only for libvirt's own build.
    .replace(/#\s*ifdef\s+VIR_ENUM_SENTINELS[\s\S]*?#\s*endif/g, "")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/[^\n]*/g, "")
    .replace(/^\s*#[^\n]*$/gm, "");
  const out: CEnum["members"] = [];
  let next = 0n;
  for (const part of clean.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const m = /^(\w+)\s*(?:=\s*([\s\S]+))?$/.exec(item);
    if (m === null) throw new XGenError(loc, `cannot read enum member '${item}'`);
    const value = m[2] === undefined ? next : evaluate(m[2], known, loc);
    known.set(m[1]!, value);
    out.push({ name: m[1]!, value: Number(value) });
    next = value + 1n;
  }
  return out;
}

/** Recursive descent over the few C operators the headers use. */
function evaluate(expr: string, known: Map<string, bigint>, loc: { file: string; line: number; col: number }): bigint {
  const tokens = expr.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|\w+|<<|>>|[-+|&~()]/g) ?? [];
  let i = 0;
  const fail = (why: string): never => {
    throw new XGenError(loc, `cannot evaluate '${expr.trim()}': ${why}`);
  };
  const primary = (): bigint => {
    const t = tokens[i++];
    if (t === undefined) return fail("unexpected end");
    if (t === "(") {
      const v = or();
      if (tokens[i++] !== ")") fail("missing ')'");
      return v;
    }
    if (t === "-") return -primary();
    if (t === "+") return primary();
    if (t === "~") return ~primary();
    if (/^\d/.test(t)) return BigInt(t.replace(/[uUlL]+$/, ""));
    const v = known.get(t);
    return v === undefined ? fail(`unknown name ${t}`) : v;
  };
  const additive = (): bigint => {
    let v = primary();
    while (tokens[i] === "+" || tokens[i] === "-") v = tokens[i++] === "+" ? v + primary() : v - primary();
    return v;
  };
  const shift = (): bigint => {
    let v = additive();
    while (tokens[i] === "<<" || tokens[i] === ">>") v = tokens[i++] === "<<" ? v << additive() : v >> additive();
    return v;
  };
  const and = (): bigint => {
    let v = shift();
    while (tokens[i] === "&") {
      i++;
      v &= shift();
    }
    return v;
  };
  const or = (): bigint => {
    let v = and();
    while (tokens[i] === "|") {
      i++;
      v |= and();
    }
    return v;
  };
  const v = or();
  if (i !== tokens.length) fail(`unexpected '${tokens[i]}'`);
  return v;
}
