import type { CEnum } from "./cenums.js";
import { XGenError } from "./errors.js";
import type { Model, Procedure, Program } from "./model.js";

/**
 * How a stream procedure is used, from libvirt's annotations alone (the
 * rule src/streams/kind.ts applies at run time to any procedure table):
 *   - `upload`: `@writestream` (the client sends);
 *   - `download`: `@readstream` with a `@sparseflag` (a volume download);
 *   - `capture`: `@readstream` with a reply value (a screenshot);
 *   - `device`: any other `@readstream` (console, channel: both ways).
 */
export type StreamKind = "upload" | "download" | "capture" | "device";

export function streamKindOf(proc: Procedure): StreamKind | null {
  const a = proc.annotations;
  if (a.writestream !== undefined) return "upload";
  if (a.readstream === undefined) return null;
  if (a.sparseflag !== undefined) return "download";
  return proc.ret !== null ? "capture" : "device";
}

export interface StreamProcedure {
  program: Program;
  proc: Procedure;
  kind: StreamKind;
  /** The `@sparseflag` constant and its value in libvirt's header enums. */
  sparseFlag: { name: string; value: number } | null;
}

/**
 * Every procedure of the model's programs that opens a stream. A
 * `@sparseflag` must name a member of the headers' enums: its value is
 * the `flags` bit the remote driver tests.
 */
export function streamProcedures(model: Model, enums: readonly CEnum[]): StreamProcedure[] {
  const values = new Map<string, number>();
  for (const e of enums) for (const m of e.members) values.set(m.name, m.value);
  const out: StreamProcedure[] = [];
  for (const program of model.modules.flatMap((m) => m.programs)) {
    for (const proc of program.procedures) {
      const kind = streamKindOf(proc);
      if (kind === null) continue;
      const name = proc.annotations.sparseflag;
      let sparseFlag: StreamProcedure["sparseFlag"] = null;
      if (name !== undefined) {
        const value = values.get(name);
        if (value === undefined) throw new XGenError(proc.loc, `${proc.name}: @sparseflag ${name} is no member of the headers' enums`);
        sparseFlag = { name, value };
      }
      out.push({ program, proc, kind, sparseFlag });
    }
  }
  return out;
}
