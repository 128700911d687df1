import { Printer } from "./printer.js";
import type { StreamProcedure } from "./streams.js";

/** src/gen/streams.ts: which procedures open a stream, used how, and their sparse flag's value. */
export function emitStreams(procedures: readonly StreamProcedure[], source: string): string {
  const p = new Printer(source);
  p.line("/** How a stream procedure is used, from its `@readstream`, `@writestream` and `@sparseflag` annotations (see streams/kind.ts). */");
  p.line(`export type StreamKind = "upload" | "download" | "capture" | "device";`);
  p.line();
  p.block("export interface StreamProcedure", () => {
    p.line("/** The program's short name (remote, qemu, lxc, admin). */");
    p.line("readonly program: string;");
    p.line("readonly kind: StreamKind;");
    p.line("/** `@sparseflag`: the `flags` bit asking for a sparse stream, and its value in libvirt's headers. */");
    p.line("readonly sparseFlag?: { readonly name: string; readonly value: number };");
  });
  p.line();
  p.line("/** Every procedure that opens a data stream, by its procedure name. */");
  p.block("export const streamProcedures: Readonly<Record<string, StreamProcedure>> =", () => {
    for (const s of procedures) {
      const fields = [`program: "${s.program.name}"`, `kind: "${s.kind}"`];
      if (s.sparseFlag !== null) fields.push(`sparseFlag: { name: "${s.sparseFlag.name}", value: ${s.sparseFlag.value} }`);
      p.line(`${s.proc.name}: { ${fields.join(", ")} },`);
    }
  }, ";");
  return p.toString();
}
