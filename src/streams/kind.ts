import type { ProcedureInfo } from "../xdr/index.js";

/**
 * How a stream procedure is used, from libvirt's annotations alone:
 *   - `upload`: `@writestream` (the client sends: volume upload, tunnelled migration);
 *   - `download`: `@readstream` with a `@sparseflag` (a volume download);
 *   - `capture`: `@readstream` with a reply value (a screenshot: MIME type, then data);
 *   - `device`: any other `@readstream` (console, channel), which libvirt
 *     uses both ways: the annotation says only that the daemon sends first.
 */
export type StreamKind = "upload" | "download" | "capture" | "device";

export function streamKind(p: ProcedureInfo): StreamKind | null {
  const a = p.annotations;
  if (a.writestream !== undefined) return "upload";
  if (a.readstream === undefined) return null;
  if (a.sparseflag !== undefined) return "download";
  return p.ret !== null ? "capture" : "device";
}
