import type { StreamKind } from "../gen/streams.js";
import type { ProcedureInfo } from "../xdr/index.js";

export type { StreamKind } from "../gen/streams.js";

/**
 * How a stream procedure is used, from libvirt's annotations alone:
 *   - `upload`: `@writestream` (the client sends: volume upload, tunnelled migration);
 *   - `download`: `@readstream` with a `@sparseflag` (a volume download);
 *   - `capture`: `@readstream` with a reply value (a screenshot: MIME type, then data);
 *   - `device`: any other `@readstream` (console, channel), which libvirt
 *     uses both ways: the annotation says only that the daemon sends first.
 * The rule runs on any procedure table (a program generated elsewhere too);
 * for libvirt's programs the generator applies it once more and writes the
 * answers into src/gen/streams.ts (test/streams/stream-table.test.ts keeps
 * the two equal).
 */
export function streamKind(p: ProcedureInfo): StreamKind | null {
  const a = p.annotations;
  if (a.writestream !== undefined) return "upload";
  if (a.readstream === undefined) return null;
  if (a.sparseflag !== undefined) return "download";
  return p.ret !== null ? "capture" : "device";
}
