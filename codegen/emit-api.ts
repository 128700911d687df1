// The method interfaces of src/gen/api/ (RemoteApi, QemuApi, LxcApi,
// AdminApi): one declared method per callable procedure, each with a doc
// comment naming the libvirt C function it implements and its annotations.
// The client installs the methods at run time from the procedure tables;
// a mapped type over those tables gives the same signatures but cannot carry
// a comment per method, so editors and TypeDoc read these instead.
import type { Model, Module, Procedure, Program, Sym } from "./model.js";
import { STRING_OKAY_GETTERS } from "./param-tables.js";
import { cFunctionOf, docPage, NO_FUNCTION, type NameIndex } from "./names.js";
import { Printer } from "./printer.js";
import { tsTypeName } from "./resolve.js";
import { streamKindOf } from "./streams.js";

/** `remote` -> `RemoteApi`. */
export function apiName(program: Program): string {
  return `${program.name[0]!.toUpperCase()}${program.name.slice(1)}Api`;
}

/** The programs that have callable procedures, each printed as one interface file. */
export function emitApis(model: Model, names: NameIndex, source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of model.modules) {
    for (const prog of m.programs) {
      if (!prog.procedures.some((p) => p.message === null)) continue;
      if (prog.name === "keepalive") continue;
      out.set(`${prog.name}.ts`, emitApi(m, prog, names, source));
    }
  }
  const index = new Printer(source);
  for (const prog of model.modules.flatMap((m) => m.programs)) {
    if (out.has(`${prog.name}.ts`)) index.line(`export type { ${apiName(prog)} } from "./${prog.name}.js";`);
  }
  out.set("index.ts", index.toString());
  return out;
}

function emitApi(m: Module, prog: Program, names: NameIndex, source: string): string {
  const p = new Printer(`${source}: the ${prog.name} program of ${m.name}`);
  const type = (s: Sym): string => p.importType(tsTypeName(s.name), `../${s.module}.js`);
  const streams = (name: string): string => p.importType(name, "../../streams/index.js");
  const callOptions = p.importType("CallOptions", "../../rpc/session.js");
  p.line(`/** Every callable procedure of the ${prog.name} program, as a method (see ProcedureMethod in client/api.ts for the stream kinds). */`);
  p.block(`export interface ${apiName(prog)}`, () => {
    for (const proc of prog.procedures) {
      if (proc.message !== null) continue;
      for (const line of docLines(prog, proc, names)) p.line(line);
      const ret = proc.ret === null ? "void" : type(proc.ret);
      const args = proc.args === null ? null : `args: ${type(proc.args)}`;
      let sig: string;
      switch (streamKindOf(proc)) {
        case "upload":
          sig = `(${args}, source: ${streams("UploadSource")}, options?: ${streams("UploadOptions")}): Promise<${ret}>`;
          break;
        case "download": {
          const chunk = p.importType("DownloadChunk", "../../streams/hole.js");
          sig = `<O extends ${streams("DownloadOptions")} = Record<never, never>>(${args}, options?: O): Promise<${streams("ReceiveStream")}<${chunk}<O>>>`;
          break;
        }
        case "capture":
          sig = `(${args}, options?: ${streams("CaptureOptions")}): Promise<${ret} & { stream: ${streams("ReceiveStream")}<Buffer> }>`;
          break;
        case "device":
          sig = `(${args}, options?: ${streams("DeviceCallOptions")}): Promise<${streams("DeviceStream")}>`;
          break;
        case null:
          sig = `(${args === null ? "" : `${args}, `}options?: ${callOptions}): Promise<${ret}>`;
      }
      p.line(`${proc.method}${sig};`);
    }
  });
  return p.toString();
}

function docLines(prog: Program, proc: Procedure, names: NameIndex): string[] {
  const fn = cFunctionOf(prog, proc, names.functions);
  const lines: string[] = [];
  if (fn === null) {
    lines.push(`${proc.name} (procedure ${proc.number}). ${NO_FUNCTION}`);
  } else {
    const page = docPage(fn.header);
    const internal = fn.header.startsWith("src/") ? ` (not public: ${fn.header})` : "";
    lines.push(`Implements \`${fn.name}\`${internal}: ${proc.name} (procedure ${proc.number}).`);
    const python = names.pythonOf(fn.name);
    if (python.length > 0) lines.push(`libvirt-python: ${python.map((n) => `\`${n}\``).join(", ")}.`);
    if (page !== null) lines.push(`@see {@link ${page}#${fn.name} | ${fn.name}} in libvirt's API reference`);
  }
  if (prog.name === "remote" && STRING_OKAY_GETTERS.has(proc.name.replace(/^REMOTE_PROC_/, ""))) {
    lines.push(
      `@remarks \`${fn?.name ?? proc.method}\` adds VIR_TYPED_PARAM_STRING_OKAY (4) to \`flags\` when the daemon supports string parameters; this method sends \`flags\` as given, so string fields are left out unless \`flags\` has \`await typedParamStringFlag(client)\` ORed in (the friendly layer does it).`,
    );
  }
  const a = proc.annotations;
  for (const acl of a.acl) lines.push(`@acl ${acl}`);
  for (const acl of a.aclfilter) lines.push(`@aclfilter ${acl}`);
  if (a.readstream !== undefined) lines.push(`@readstream ${a.readstream}`);
  if (a.writestream !== undefined) lines.push(`@writestream ${a.writestream}`);
  if (a.sparseflag !== undefined) lines.push(`@sparseflag ${a.sparseflag}`);
  return ["/**", ...lines.map((l) => ` * ${l}`), " */"];
}
