import type { Model } from "./model.js";
import { Printer } from "./printer.js";
import { tsTypeName } from "./resolve.js";

/**
 * types.ts: the type of every enum, struct, union and typedef of every `.x`
 * module, re-exported flat (`RemoteDomainGetInfoRet`) for the package root.
 * TypeScript's declaration emit names a type only through an entry point, so
 * a consumer that re-exports a reply needs it there (else TS2742/TS2883).
 * Types only: no codec, constant or schema, so it costs nothing at run time.
 * Where two modules define one name (`.x` files may repeat a shared type),
 * the first module's wins; the other stays reachable through /gen.
 */
export function emitTypes(model: Model): string {
  const p = new Printer("the `.x` modules' types");
  const taken = new Set<string>();
  for (const m of model.modules) {
    const names = [...m.enums, ...m.types].map((d) => tsTypeName(d.name)).filter((n) => !taken.has(n));
    if (names.length === 0) continue;
    for (const n of names) taken.add(n);
    p.line("export type {");
    for (const n of names) p.line(`  ${n},`);
    p.line(`} from "./${m.name}.js";`);
  }
  return p.toString();
}
