import type { EventFamily } from "./events.js";
import { Printer } from "./printer.js";
import type { VirshTables } from "./virsh.js";

/** The event tables: families, IDs, procedures, and virsh's words for them. */
export function emitEvents(families: readonly EventFamily[], virsh: VirshTables, sources: string): string {
  const p = new Printer(sources);
  p.line("/** Every event family of the remote program, its event IDs and the procedures behind them. */");
  p.block("export const eventFamilies =", () => {
    for (const f of families) {
      p.block(`${f.family}:`, () => {
        p.line(`object: "${f.object}",`);
        p.line(`register: "${f.register}",`);
        p.line(`deregister: "${f.deregister}",`);
        p.line(`legacyRegister: ${JSON.stringify(f.legacyRegister)},`);
        p.line(`legacyDeregister: ${JSON.stringify(f.legacyDeregister)},`);
        p.block("kinds:", () => {
          for (const k of f.kinds) {
            const fields = [
              `id: ${k.id}`,
              `idName: "${k.idName}"`,
              `method: "${k.method}"`,
              `legacyMethod: ${JSON.stringify(k.legacyMethod)}`,
            ];
            p.line(`${JSON.stringify(k.name)}: { ${fields.join(", ")} },`);
          }
        }, ",");
      }, ",");
    }
  }, " as const;");
  p.line();
  p.line("/** virsh's string tables (VIR_ENUM_IMPL), index = enum value. */");
  p.block("export const virshStrings: Readonly<Record<string, readonly string[]>> =", () => {
    for (const [name, values] of Object.entries(virsh.enums).sort(([a], [b]) => a.localeCompare(b))) {
      p.line(`${name}: [${values.map((v) => JSON.stringify(v)).join(", ")}],`);
    }
  }, ";");
  return p.toString();
}
