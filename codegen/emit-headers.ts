import type { CEnum } from "./cenums.js";
import { Printer } from "./printer.js";
import { tsTypeName } from "./resolve.js";

/** `include/libvirt/libvirt-domain.h` -> `libvirt_domain`. */
export function headerModuleName(path: string): string {
  const base = path.split(/[\\/]/).pop()!;
  return base.replace(/\.h(\.in)?$/, "").replace(/-/g, "_");
}

/** One module of const objects, one per C enum of a header. */
export function emitHeader(enums: readonly CEnum[], source: string): string {
  const p = new Printer(`the enums of ${source}`);
  for (const e of enums) {
    const ts = tsTypeName(e.name);
    p.block(`export const ${ts} =`, () => {
      for (const m of e.members) p.line(`${m.name}: ${m.value},`);
    }, " as const;");
    p.line(`export type ${ts} = (typeof ${ts})[keyof typeof ${ts}];`);
    p.line();
  }
  return p.toString();
}
