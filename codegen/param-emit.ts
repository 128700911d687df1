/**
 * Prints src/gen/friendly/params.ts: for each setter family of
 * param-tables.ts, an input type (each field with its type, an array where
 * libvirt takes the field several times) and the table the setter converts
 * plain values with.
 */
import type { ParamFamily } from "./param-tables.js";
import { Printer } from "./printer.js";

const API = "../../api/runtime.js";

/** `BlockCopyParams` -> `BLOCK_COPY_PARAMS`. */
export function tableConst(f: ParamFamily): string {
  return f.name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

export function emitParams(families: readonly ParamFamily[], source: string): string {
  const p = new Printer(source);
  for (const f of families) {
    const one = (t: string): string => `${p.importType("ParamIn", API)}<"${t}">`;
    p.line(`/** The fields of ${f.functions} (${f.prefixes.map((x) => `${x}*`).join(", ")}); a field not listed is typed from its value. */`);
    p.block(`export interface ${p.declare(f.name)}`, () => {
      for (const x of f.fields) {
        p.line(`/** ${x.macro}: ${x.type}${x.repeat ? ", may be given several times (an array: the field once per element)" : ""}. */`);
        p.line(`readonly ${key(x.field)}?: ${x.repeat ? `${one(x.type!)} | readonly ${one(x.type!)}[]` : one(x.type!)};`);
      }
      p.line(`readonly [field: string]: ${p.importType("ParamInput", API)} | undefined;`);
    });
    p.line(`/** How ${f.name}' fields are sent. */`);
    p.block(`export const ${p.declare(tableConst(f))}: ${p.importType("ParamTable", API)} =`, () => {
      for (const x of f.fields) p.line(`${key(x.field)}: { type: "${x.type}", repeat: ${x.repeat} },`);
    }, ";");
    p.line();
  }
  return p.toString();
}

function key(field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field) ? field : JSON.stringify(field);
}
