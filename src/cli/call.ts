import { connect } from "./connection.js";
import { fromCliJson, toCliJson } from "./json.js";
import { lxcProgram, schema as lxcSchema } from "../gen/lxc_protocol.js";
import { qemuProgram, schema as qemuSchema } from "../gen/qemu_protocol.js";
import { remoteProgram, schema as remoteSchema } from "../gen/remote_protocol.js";
import { XdrError, XdrWriter, fromJson, type Codec, type ProcedureInfo, type ProgramInfo } from "../xdr/index.js";
import { HELP, type OwnCommand } from "./command.js";
import { UsageError, timeoutOption } from "./usage.js";

const PROGRAMS: { prefix: string; program: ProgramInfo }[] = [
  { prefix: "", program: remoteProgram },
  { prefix: "qemu.", program: qemuProgram },
  { prefix: "lxc.", program: lxcProgram },
];
const SCHEMA = { ...remoteSchema, ...qemuSchema, ...lxcSchema };

export const CALL_USAGE = `usage: libvirt-remote [-c URI] [-r] call [--timeout SECONDS] PROCEDURE [ARGS_JSON | -]
       libvirt-remote call --list

  PROCEDURE  camelCase (domainLookupByName, qemu.domainMonitorCommand) or the
             .x name (REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME)
  ARGS_JSON  the procedure's arguments as JSON ('-' reads stdin)

JSON conventions: hyper values are decimal strings, UUIDs are dashed
(base64 is accepted too), other opaque data is base64, optional values are
null when absent, enums are numbers.`;

/** Finds a procedure by method name (with qemu./lxc. prefix) or by its .x name. */
export function findProcedure(name: string): { program: ProgramInfo; procedure: ProcedureInfo; method: string } {
  for (const { prefix, program } of PROGRAMS) {
    for (const [method, procedure] of Object.entries(program.procedures)) {
      if (procedure.message !== null) continue;
      if (name === `${prefix}${method}` || name === procedure.name) return { program, procedure, method: `${prefix}${method}` };
    }
  }
  throw new UsageError([`unknown procedure '${name}' (libvirt-remote call --list shows them)`]);
}

export function listProcedures(): string {
  const lines: string[] = [];
  for (const { prefix, program } of PROGRAMS) {
    for (const [method, p] of Object.entries(program.procedures)) {
      if (p.message !== null) continue;
      const stream = p.annotations.readstream !== undefined || p.annotations.writestream !== undefined ? "  [stream]" : "";
      lines.push(`${`${prefix}${method}`.padEnd(44)} ${p.name.padEnd(56)} ${p.args?.name ?? "-"} -> ${p.ret?.name ?? "-"}${stream}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

const call: OwnCommand = {
  names: ["call"],
  options: [
    { name: "procedure", type: "data" },
    { name: "args", type: "data" },
    { name: "timeout", type: "string", named: true },
    { name: "list", type: "bool" },
    HELP,
  ],
  help: CALL_USAGE,
  async run(_ctx, opts) {
    if (opts.bool("list")) {
      process.stdout.write(listProcedures());
      return;
    }
    const name = opts.string("procedure");
    // vsh's words for a missing data option: --list makes it optional, so the parser cannot say it.
    if (name === undefined) throw new UsageError(["command 'call' requires <procedure> option"]);
    const argsText = opts.string("args");
    const { program, procedure } = findProcedure(name);
    let args: unknown;
    if (procedure.args !== null) {
      if (argsText === undefined) throw new UsageError([`${name} takes arguments (${procedure.args.name}): give them as JSON`]);
      const text = argsText === "-" ? await readStdin() : argsText;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new UsageError([`ARGS_JSON is not valid JSON: ${(e as Error).message}`]);
      }
      args = checkArgs(procedure.args, fromCliJson(json));
    } else if (argsText !== undefined) {
      throw new UsageError([`${name} takes no arguments`]);
    }
    const timeoutText = opts.string("timeout");
    const timeout = timeoutText === undefined ? undefined : timeoutOption(timeoutText);
    const client = await connect(undefined, timeout === undefined ? {} : { timeout });
    try {
      const result = await client.call(program, procedure, args);
      process.stdout.write(`${JSON.stringify(toCliJson(result ?? null), null, 2)}\n`);
    } finally {
      await client.close();
    }
  },
};

export const commands: readonly OwnCommand[] = [call];

/**
 * The arguments as the procedure's type, encoded once as a dry run: a value
 * of the wrong shape, or one the wire cannot carry, is the user's mistake
 * and is reported before connecting, naming the field.
 */
function checkArgs(type: Codec<unknown>, json: unknown): unknown {
  try {
    const args = fromJson(SCHEMA, type.name, json);
    type.encode(new XdrWriter(), args);
    return args;
  } catch (e) {
    if (e instanceof XdrError) throw new UsageError([`ARGS_JSON does not fit ${type.name}: ${e.message}`]);
    throw e;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
