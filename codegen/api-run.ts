// The method interfaces (src/gen/api/), written or checked by `npm run gen` /
// `npm run gen:check` beside the exact layer's files.
import { externValues } from "../protocol/externs.js";
import { readHeaders, readSources } from "./cli.js";
import { cFunctions, emitApis } from "./emit-api.js";
import { compile } from "./generate.js";
import { writeOrCheck } from "./output.js";

/** Generates into `out`; with `check`, returns the files that differ instead. */
export async function runApi(args: { from: string; out: string; check: boolean; version: string }): Promise<string[]> {
  const model = compile(readSources(args.from), externValues());
  const files = emitApis(model, cFunctions(readHeaders(args.from)), `the .x files and include/libvirt/*.h of libvirt ${args.version}`);
  return writeOrCheck(args.out, files, args.check);
}
