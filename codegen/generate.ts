import { createHash } from "node:crypto";
import { parseCEnums, type CEnum } from "./cenums.js";
import { emitApis } from "./emit-api.js";
import { emitEvents } from "./emit-events.js";
import { emitHeader, headerModuleName } from "./emit-headers.js";
import { emitStreams } from "./emit-streams.js";
import { emit, emitIndex } from "./emit.js";
import { eventFamilies } from "./events.js";
import { emitFriendly } from "./friendly.js";
import { paramFamilies } from "./param-tables.js";
import type { Model } from "./model.js";
import { emitNamesPage, nameRows } from "./names-page.js";
import { cFunctions, NameIndex, type PythonNames } from "./names.js";
import { parse } from "./parser.js";
import { moduleName, resolve, type Externs } from "./resolve.js";
import { streamProcedures } from "./streams.js";
import { parseVirshSources } from "./virsh.js";

export interface SourceFile {
  /** The path shown in messages and headers (relative to the libvirt tree). */
  path: string;
  text: string;
}

/** One output file; `path` is relative to the output folder, `/`-separated. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

export interface GenerateOptions {
  /** libvirt's public headers, in include order, for their enums (error codes, event details). */
  headers?: readonly SourceFile[];
  /** virsh's event sources (tools/virsh-*.c), for the words virsh prints. */
  virsh?: readonly SourceFile[];
  externs: Externs;
  /** Module specifier the generated files import the XDR runtime from. */
  runtime: string;
  /** Names the libvirt version a file came from, if known (by its sha256). */
  versionOf?: (sha256: string) => string | undefined;
  /**
   * Also this package's own layers over the exact one: the stream table
   * (streams.ts), the friendly layer (friendly/) and the method interfaces
   * (api/). Their imports assume the output folder is this repository's
   * src/gen; `version` names the libvirt release in their headers; `python`,
   * libvirt-python's methods (codegen/python-names.json), named in the doc comments.
   */
  library?: { version: string; python?: PythonNames };
}

/** The one compile step, pure: sources in, every generated file out. */
export function generateFiles(files: readonly SourceFile[], options: GenerateOptions): GeneratedFile[] {
  const model = compile(files, options.externs);
  const known = new Map<string, bigint>();
  const headers = (options.headers ?? []).map((h) => ({ source: h, path: h.path, enums: parseCEnums(h.text, h.path, known) }));
  const out = [...exactLayer(model, files, headers, options)].map(([path, text]) => ({ path, text }));
  const lib = options.library;
  if (lib === undefined) return out;
  const names = new NameIndex(cFunctions(options.headers ?? []), lib.python);
  const streams = streamProcedures(model, headers.flatMap((h) => h.enums));
  out.push({ path: "streams.ts", text: emitStreams(streams, `the stream annotations of the .x files and the enums of include/libvirt/*.h (libvirt ${lib.version})`) });
  const friendly = emitFriendly(
    model,
    headers,
    {
      protocol: `src/remote/remote_protocol.x (libvirt ${lib.version})`,
      headers: `the enums of include/libvirt/*.h (libvirt ${lib.version})`,
    },
    paramFamilies(options.headers ?? []),
    names,
  );
  for (const [name, text] of friendly) out.push({ path: `friendly/${name}`, text });
  const apis = emitApis(model, names, `the .x files and include/libvirt/*.h of libvirt ${lib.version}`);
  for (const [name, text] of apis) out.push({ path: `api/${name}`, text });
  return out;
}

/** The pages of docs/ generated with the library's layers: names.md, every procedure by its C and libvirt-python names. */
export function generateDocs(files: readonly SourceFile[], options: GenerateOptions & { library: { version: string; python: PythonNames } }): GeneratedFile[] {
  const model = compile(files, options.externs);
  const names = new NameIndex(cFunctions(options.headers ?? []), options.library.python);
  const rows = nameRows(model, names, paramFamilies(options.headers ?? []));
  const python = options.library.python.source.replace(/:.*/, "");
  return [{ path: "names.md", text: emitNamesPage(rows, { libvirt: options.library.version, python }) }];
}

/** The exact layer alone (one module per `.x`, header enums, events, index), by file name. */
export function generate(files: readonly SourceFile[], options: Omit<GenerateOptions, "library">): Map<string, string> {
  return new Map(generateFiles(files, options).map((f) => [f.path, f.text]));
}

/** Parses and resolves without printing: the model, for tools and tests. */
export function compile(files: readonly SourceFile[], externs: Externs): Model {
  return resolve(files.map((f) => parse(f.text, f.path)), externs);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function exactLayer(
  model: Model,
  files: readonly SourceFile[],
  headers: readonly { source: SourceFile; enums: readonly CEnum[] }[],
  options: GenerateOptions,
): Map<string, string> {
  const describe = (f: SourceFile): string => {
    const sha = sha256(f.text);
    const version = options.versionOf?.(sha);
    return `${f.path} (${version === undefined ? "" : `libvirt ${version}, `}sha256 ${sha})`;
  };
  const out = emit(model, {
    runtime: options.runtime,
    describeSource: (m) => describe(files.find((s) => moduleName(s.path) === m.name)!),
  });
  const index = model.modules.map((m) => m.name);
  const allEnums = new Map<string, CEnum>();
  for (const h of headers) {
    for (const e of h.enums) allEnums.set(e.name, e);
    if (h.enums.length === 0) continue;
    const name = headerModuleName(h.source.path);
    out.set(`${name}.ts`, emitHeader(h.enums, describe(h.source)));
    index.push(name);
  }
  const virshFiles = options.virsh ?? [];
  const virsh = parseVirshSources(virshFiles);
  const families = eventFamilies(model, allEnums, virsh.eventNames);
  if (families.length > 0) {
    const sources = ["the remote program and header enums", ...virshFiles.map((f) => describe(f))].join(", ");
    out.set("events.ts", emitEvents(families, virsh, sources));
    index.push("events");
  }
  out.set("index.ts", emitIndex(index));
  return out;
}
