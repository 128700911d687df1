// The friendly layer's files (src/gen/friendly/), written or checked by
// `npm run gen` / `npm run gen:check` beside the exact layer's.
import { externValues } from "../protocol/externs.js";
import { parseCEnums } from "./cenums.js";
import { readHeaders, readSources } from "./cli.js";
import { emitFriendly } from "./friendly.js";
import { compile } from "./generate.js";
import { writeOrCheck } from "./output.js";

/** Generates into `out`; with `check`, returns the files that differ instead. */
export async function runFriendly(args: { from: string; out: string; check: boolean; version: string }): Promise<string[]> {
  const model = compile(readSources(args.from), externValues());
  const known = new Map<string, bigint>();
  const headers = readHeaders(args.from).map((h) => ({ path: h.path, enums: parseCEnums(h.text, h.path, known) }));
  const files = emitFriendly(model, headers, {
    protocol: `src/remote/remote_protocol.x (libvirt ${args.version})`,
    headers: `the enums of include/libvirt/*.h (libvirt ${args.version})`,
  });
  return writeOrCheck(args.out, files, args.check);
}
