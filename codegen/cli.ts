// The generator's one pipeline: read a libvirt tree, compile once, write
// (or check) every output. `libvirt-remote gen` runs it for any output
// folder; codegen/regen.ts runs it for this repository's src/gen.
import { HELP, type OwnCommand } from "../src/cli/command.js";
import { externValues } from "../protocol/externs.js";
import { readManifest, versionBySha } from "../protocol/manifest.js";
import { generateDocs, generateFiles, type GenerateOptions } from "./generate.js";
import { writeOutputs, type WriteResult } from "./output.js";
import { readHeaders, readSources, readVirsh } from "./sources.js";

export interface GenArgs {
  /** A libvirt source tree, or a folder of .x files. */
  from: string;
  out: string;
  runtime: string;
  /** Also the daemons' private protocols. */
  all: boolean;
  /** Compare with what is in `out` instead of writing. */
  check: boolean;
  /** This package's own layers too (see GenerateOptions). */
  library?: GenerateOptions["library"];
  /** With `library.python`: also the generated pages of docs/ (generateDocs), into this folder. */
  docs?: string;
}

/** Reads the inputs under `from`, generates every file, and writes them into `out` (or, with `check`, compares). */
export async function runGen(args: GenArgs): Promise<WriteResult> {
  const sources = readSources(args.from, args.all);
  const options: GenerateOptions = {
    headers: readHeaders(args.from),
    virsh: readVirsh(args.from),
    externs: externValues(),
    runtime: args.runtime,
    versionOf: versionBySha(readManifest()),
    ...(args.library === undefined ? {} : { library: args.library }),
  };
  const result = await writeOutputs(args.out, generateFiles(sources, options), args.check);
  const library = args.library;
  if (args.docs === undefined || library?.python === undefined) return result;
  const docs = await writeOutputs(args.docs, generateDocs(sources, { ...options, library: { ...library, python: library.python } }), args.check);
  return { written: [...result.written, ...docs.written], drift: [...result.drift, ...docs.drift] };
}

/** Prints the outcome; the exit code: 1 on drift in `check` mode. */
export function report(result: WriteResult, check: boolean, what: { matches: string; differs: string; wrote: string }): number {
  if (check && result.drift.length > 0) {
    process.stderr.write(`gen: ${what.differs}:\n${result.drift.map((f) => `  ${f}\n`).join("")}`);
    return 1;
  }
  process.stdout.write(`gen: ${check ? what.matches : `wrote ${result.written.length} files ${what.wrote}`}\n`);
  return 0;
}

export const GEN_USAGE = `usage: libvirt-remote gen --from DIR --out DIR [--runtime SPECIFIER] [--all] [--check]
  --from     a libvirt source tree, or a folder of .x files
  --out      where the TypeScript goes (one file per .x, plus index.ts)
  --runtime  module the generated code imports the XDR runtime from (default: libvirt-remote/xdr)
  --all      also the daemons' private protocols (lock, log, lxc monitor)
  --check    write nothing; exit 1 if the files in --out differ from the output`;

/** `libvirt-remote gen`: loaded by the CLI only when that command runs. */
const gen: OwnCommand = {
  names: ["gen"],
  options: [
    { name: "from", type: "string", required: true, named: true },
    { name: "out", type: "string", required: true, named: true },
    { name: "runtime", type: "string", named: true },
    { name: "all", type: "bool" },
    { name: "check", type: "bool" },
    HELP,
  ],
  help: GEN_USAGE,
  async run(_ctx, opts) {
    const [from, out, check] = [opts.string("from")!, opts.string("out")!, opts.bool("check")];
    const result = await runGen({ from, out, runtime: opts.string("runtime") ?? "libvirt-remote/xdr", all: opts.bool("all"), check });
    return report(result, check, {
      matches: `${out} matches the generator's output`,
      differs: "generated code is out of date (run npm run gen)",
      wrote: `to ${out}`,
    }) === 0;
  },
};

export const commands: readonly OwnCommand[] = [gen];
