import { XGenError, type Loc } from "./errors.js";
import type { Annotations, EnumDef, Module, Procedure, Program, StructDef, Sym } from "./model.js";
import { stripComment } from "./parser.js";

/** `at`: the procedure the name is looked up for, for the message when it is ambiguous. */
type FindType = (name: string, at: Loc) => { module: string } | null;

/**
 * Finds each program of a module: a `*procedure` enum whose members share a
 * `..._PROC_` prefix, with `<base>PROGRAM` and `<base>P..._VERSION`
 * constants beside it. Argument, reply and event types are found by
 * libvirt's naming rule (remote_x_args / virLockSpaceProtocolXArgs).
 */
export function findPrograms(module: Module, findType: FindType): Program[] {
  const programs: Program[] = [];
  for (const e of module.enums) {
    if (!/procedure$/i.test(e.name)) continue;
    const prefix = procPrefix(e);
    const base = prefix.slice(0, -"PROC_".length);
    const loc = e.loc;
    const programConst = module.constants.find((c) => c.name === `${base}PROGRAM`);
    const versionConst = module.constants.find(
      (c) => c.name === `${base}PROTOCOL_VERSION` || c.name === `${base}PROGRAM_VERSION`,
    );
    if (programConst === undefined || versionConst === undefined) {
      throw new XGenError(loc, `enum ${e.name}: no ${base}PROGRAM and ${base}PROTOCOL_VERSION constants`);
    }
    const typeBase = e.name.replace(/procedure$/i, "");
    const lookup = (suffix: string, kind: "args" | "ret" | "msg", at: Loc): Sym | null => {
      const name = typeBase.endsWith("_")
        ? `${typeBase}${suffix.toLowerCase()}_${kind}`
        : `${typeBase}${pascal(suffix)}${kind[0]!.toUpperCase()}${kind.slice(1)}`;
      const owner = findType(name, at);
      if (owner !== null) return { name, module: owner.module };
      // The lock protocol spells one word two ways (CREATE_LOCKSPACE, CreateLockSpaceArgs).
      const folded = module.types.find((t) => t.name.toLowerCase() === name.toLowerCase());
      return folded === undefined ? null : { name: folded.name, module: module.name };
    };
    const procedures = e.members.map((m): Procedure => {
      const suffix = m.name.slice(prefix.length);
      const args = lookup(suffix, "args", m.loc);
      const ret = lookup(suffix, "ret", m.loc);
      return {
        number: m.value,
        name: m.name,
        loc: m.loc,
        method: camel(suffix),
        args,
        ret,
        message: lookup(suffix, "msg", m.loc),
        annotations: annotations(m.doc, m.note),
        inserts: [...inserts(module, args, "args"), ...inserts(module, ret, "ret")],
      };
    });
    programs.push({
      name: camel(base.replace(/^VIR_/, "").replace(/_PROTOCOL_$/, "_").replace(/_$/, "")),
      programConst: programConst.name,
      program: programConst.value,
      versionConst: versionConst.name,
      version: versionConst.value,
      procedureEnum: e.name,
      loc: e.loc,
      procedures,
    });
  }
  return programs;
}

function procPrefix(e: EnumDef): string {
  const first = /^(.*?_PROC_)/.exec(e.members[0]?.name ?? "")?.[1];
  if (first === undefined) throw new XGenError(e.members[0]?.loc ?? e.loc, `enum ${e.name}: members do not share a *_PROC_ prefix`);
  // The first member that differs is where the reader has to look.
  const odd = e.members.find((m) => !m.name.startsWith(first) || m.name.indexOf("_PROC_") + 6 !== first.length);
  if (odd !== undefined) throw new XGenError(odd.loc, `enum ${e.name}: members do not share a *_PROC_ prefix (${odd.name} is not ${first}*)`);
  return first;
}

function annotations(doc: string | null, note: string | null): Annotations {
  const out: Annotations = { acl: [], aclfilter: [] };
  if (note !== null) out.note = stripComment(note);
  if (doc === null) return out;
  for (const line of stripComment(doc).split("\n")) {
    const m = /^\s*\*?\s*@(\w+)\s*:\s*(.*?)\s*$/.exec(line);
    if (m === null) continue;
    const [, key, value] = m as unknown as [string, string, string];
    switch (key) {
      case "acl":
      case "aclfilter":
        out[key].push(value);
        break;
      case "readstream":
      case "writestream":
        out[key] = Number(value);
        break;
      case "generate":
      case "priority":
      case "sparseflag":
        out[key] = value;
        break;
    }
  }
  return out;
}

function inserts(module: Module, sym: Sym | null, type: "args" | "ret"): Procedure["inserts"] {
  if (sym === null || sym.module !== module.name) return [];
  const def = module.types.find((t): t is StructDef => t.kind === "struct" && t.name === sym.name);
  if (def === undefined) return [];
  const out: Procedure["inserts"] = [];
  if (def.note.insert !== undefined) out.push({ type, field: null, at: def.note.insert });
  for (const f of def.fields) if (f.note.insert !== undefined) out.push({ type, field: f.name, at: f.note.insert });
  return out;
}

/** `DOMAIN_LOOKUP_BY_NAME` -> `domainLookupByName`. */
export function camel(snake: string): string {
  const p = pascal(snake);
  return p[0]!.toLowerCase() + p.slice(1);
}

function pascal(snake: string): string {
  return snake
    .toLowerCase()
    .split("_")
    .filter((s) => s !== "")
    .map((s) => s[0]!.toUpperCase() + s.slice(1))
    .join("");
}
