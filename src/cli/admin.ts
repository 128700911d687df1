import { connectAdmin, type AdminClient } from "../admin/client.js";
import { field, formatTable, localTimestamp, transportName } from "./format/admin.js";
import { typedParamValue } from "./virsh/util.js";
import type { AdminNonnullClient, AdminNonnullServer } from "../gen/admin_protocol.js";
import { UsageError } from "./usage.js";

export const ADMIN_USAGE = `usage: libvirt-remote admin [-c URI] [-q] COMMAND [ARGS...]

  -c, --connect URI  the daemon's admin URI (libvirtd:///system, virtqemud:///session,
                     libvirtd:///session?socket=PATH, ...; default as virt-admin)
  -q, --quiet        no headers, labels or trailing blank line

commands, printed as virt-admin prints them:
  srv-list | server-list
  srv-threadpool-info | server-threadpool-info SERVER
  srv-clients-list | client-list SERVER
  client-info SERVER CLIENT
  client-disconnect SERVER CLIENT
  srv-clients-info | server-clients-info SERVER
  daemon-log-outputs [--outputs OUTPUTS]
  daemon-log-filters [--filters FILTERS]

virt-admin's other commands (server-threadpool-set, server-clients-set,
server-update-tls, daemon-timeout, and those of its interactive shell) are
not implemented here.`;

interface OptionDef {
  name: string;
  /** `data` options may also be given by position, as vsh allows. */
  kind: "data" | "string";
  required: boolean;
}

interface Context {
  conn: AdminClient;
  quiet: boolean;
  out(text: string): void;
}

interface CommandDef {
  names: readonly string[];
  options: readonly OptionDef[];
  run(ctx: Context, opts: ReadonlyMap<string, string>): Promise<void>;
}

/** A failure virt-admin reports with a line of its own before the library's error. */
class CommandError extends Error {
  constructor(
    readonly context: string,
    options: ErrorOptions,
  ) {
    super(context, options);
  }
}

/** The words of a command were wrong: one line per problem. */
class ArgsError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("; "));
  }
}

/** Runs `fn`; if it fails, virt-admin's message for that step comes first. */
async function step<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new CommandError(context, { cause: e });
  }
}

const server: OptionDef = { name: "server", kind: "data", required: true };
const client: OptionDef = { name: "client", kind: "data", required: true };

async function lookupServer(ctx: Context, name: string): Promise<AdminNonnullServer> {
  return (await ctx.conn.connectLookupServer({ name, flags: 0 })).srv;
}

async function lookupClient(ctx: Context, srv: AdminNonnullServer, id: bigint): Promise<AdminNonnullClient> {
  return (await ctx.conn.serverLookupClient({ srv, id, flags: 0 })).clnt;
}

/**
 * vshCommandOptULongLong (virStrToLong_ullp): strtoull's base-10 number,
 * blanks and `+` allowed in front, no `-`; with `wrap`
 * (vshCommandOptULongLongWrap, virStrToLong_ull) a `-` wraps modulo 2^64.
 */
function clientId(text: string, wrap = false): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text);
  const n = m === null ? null : BigInt(m[2]!);
  if (m === null || n === null || n > 0xffffffffffffffffn || (m[1] === "-" && !wrap)) {
    throw new ArgsError([`Numeric value '${text}' for <client> option is malformed or out of range`]);
  }
  return m[1] === "-" ? (2n ** 64n - n) % 2n ** 64n : n;
}

const COMMANDS: readonly CommandDef[] = [
  {
    names: ["server-list", "srv-list"],
    options: [],
    async run(ctx) {
      const { servers } = await step(`failed to obtain list of available servers from ${ctx.conn.uri.uri}`, () =>
        ctx.conn.connectListServers({ need_results: 1, flags: 0 }),
      );
      ctx.out(formatTable(["Id", "Name"], servers.map((s, i) => [String(i), s.name]), !ctx.quiet));
    },
  },
  {
    names: ["server-threadpool-info", "srv-threadpool-info"],
    options: [server],
    async run(ctx, opts) {
      const srv = await lookupServer(ctx, opts.get("server")!);
      const { params } = await step("Unable to get server workerpool parameters", () => ctx.conn.serverGetThreadpoolParameters({ srv, flags: 0 }));
      // virt-admin prints every value as the unsigned int all of these are.
      for (const p of params) ctx.out(field(p.field, typedParamValue(p.value), 15));
    },
  },
  {
    names: ["client-list", "srv-clients-list"],
    options: [server],
    async run(ctx, opts) {
      const srv = await lookupServer(ctx, opts.get("server")!);
      const { clients } = await step(`failed to obtain list of connected clients from server '${srv.name}'`, () =>
        ctx.conn.serverListClients({ srv, need_results: 1, flags: 0 }),
      );
      const rows = clients.map((c) => [String(c.id), transportName(c.transport), localTimestamp(c.timestamp)]);
      ctx.out(formatTable(["Id", "Transport", "Connected since"], rows, !ctx.quiet));
    },
  },
  {
    names: ["client-info"],
    options: [server, client],
    async run(ctx, opts) {
      const id = clientId(opts.get("client")!);
      const srv = await lookupServer(ctx, opts.get("server")!);
      const clnt = await lookupClient(ctx, srv, id);
      const { params } = await step(`failed to retrieve client identity information for client '${id}' connected to server '${srv.name}'`, () =>
        ctx.conn.clientGetInfo({ clnt, flags: 0 }),
      );
      ctx.out(field("id", String(clnt.id), 15));
      ctx.out(field("connection_time", localTimestamp(clnt.timestamp), 15));
      ctx.out(field("transport", transportName(clnt.transport), 15));
      for (const p of params) ctx.out(field(p.field, typedParamValue(p.value), 15));
    },
  },
  {
    names: ["client-disconnect"],
    options: [server, client],
    async run(ctx, opts) {
      // virt-admin reads the ID (wrapping a negative one) before it looks the server up.
      const id = clientId(opts.get("client")!, true);
      const srv = await lookupServer(ctx, opts.get("server")!);
      const clnt = await lookupClient(ctx, srv, id);
      await step(`Failed to disconnect client '${id}' from server ${srv.name}`, () => ctx.conn.clientClose({ clnt, flags: 0 }));
      // No newline of its own: the one after every command ends the line.
      ctx.out(`Client '${id}' disconnected`);
    },
  },
  {
    names: ["server-clients-info", "srv-clients-info"],
    options: [server],
    async run(ctx, opts) {
      const srv = await lookupServer(ctx, opts.get("server")!);
      const { params } = await step("Unable to retrieve client limits from server's configuration", () => ctx.conn.serverGetClientLimits({ srv, flags: 0 }));
      for (const p of params) ctx.out(field(p.field, typedParamValue(p.value), 20));
    },
  },
  {
    names: ["daemon-log-outputs"],
    options: [{ name: "outputs", kind: "string", required: false }],
    async run(ctx, opts) {
      const outputs = opts.get("outputs");
      if (outputs !== undefined) {
        await step("Unable to change daemon logging settings", () => ctx.conn.connectSetLoggingOutputs({ outputs, flags: 0 }));
        return;
      }
      const ret = await step("Unable to get daemon logging outputs information", () => ctx.conn.connectGetLoggingOutputs({ flags: 0 }));
      if (!ctx.quiet) ctx.out(` ${"Logging outputs: ".padEnd(15)}`);
      ctx.out(`${ret.outputs}\n`);
    },
  },
  {
    names: ["daemon-log-filters"],
    options: [{ name: "filters", kind: "string", required: false }],
    async run(ctx, opts) {
      const filters = opts.get("filters");
      if (filters !== undefined) {
        await step("Unable to change daemon logging settings", () => ctx.conn.connectSetLoggingFilters({ filters, flags: 0 }));
        return;
      }
      const ret = await step("Unable to get daemon logging filters information", () => ctx.conn.connectGetLoggingFilters({ flags: 0 }));
      if (!ctx.quiet) ctx.out(` ${"Logging filters: ".padEnd(15)}`);
      ctx.out(`${ret.filters ?? ""}\n`);
    },
  },
];

/** Every command name, aliases included, that this CLI runs: each one virt-admin 9.0 has (see the test). */
export const ADMIN_COMMAND_NAMES: readonly string[] = COMMANDS.flatMap((c) => c.names);

/**
 * The names virt-admin 9.0 knows (tools/virt-admin.c: vshAdmCmds,
 * monitoringCmds, managementCmds, aliases included) that this CLI does not
 * run: refused as not implemented, never as an unknown command.
 */
const VIRT_ADMIN_ONLY: readonly string[] = [
  ...["cd", "echo", "exit", "help", "pwd", "quit", "self-test", "complete", "uri", "version", "connect"],
  ...["server-threadpool-set", "srv-threadpool-set", "server-clients-set", "srv-clients-set", "server-update-tls", "srv-update-tls", "daemon-timeout"],
];

/** A command's options from its words, as vsh reads them: `--name value`, `--name=value`, or data options by position. */
function parseCommandArgs(name: string, def: CommandDef, words: readonly string[]): Map<string, string> {
  const opts = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith("--") && word.length > 2) {
      const eq = word.indexOf("=");
      const optName = word.slice(2, eq < 0 ? undefined : eq);
      // Every vsh command takes --help.
      if (optName === "help" && eq < 0) {
        opts.set("help", "");
        continue;
      }
      const opt = def.options.find((o) => o.name === optName);
      if (opt === undefined) throw new ArgsError([`command '${name}' doesn't support option --${optName}`]);
      if (opts.has(opt.name)) throw new ArgsError([`option --${opt.name} already seen`]);
      const value = eq < 0 ? words[++i] : word.slice(eq + 1);
      if (value === undefined) throw new ArgsError([`expected syntax: --${opt.name} <string>`]);
      opts.set(opt.name, value);
    } else {
      const opt = def.options.find((o) => o.kind === "data" && !opts.has(o.name));
      if (opt === undefined) throw new ArgsError([`unexpected data '${word}'`]);
      opts.set(opt.name, word);
    }
  }
  if (opts.has("help")) return opts;
  // Every missing option is reported, one line each, as vsh does.
  const missing = def.options
    .filter((o) => o.required && !opts.has(o.name))
    .map((o) => (o.kind === "data" ? `command '${name}' requires <${o.name}> option` : `command '${name}' requires --${o.name} option`));
  if (missing.length > 0) throw new ArgsError(missing);
  return opts;
}

/** virt-admin's error lines: its own message for the step, then the library's. */
function errorLines(e: unknown): string[] {
  if (e instanceof ArgsError) return e.lines;
  if (e instanceof CommandError) return [e.context, ...(e.cause === undefined ? [] : errorLines(e.cause))];
  return [e instanceof Error ? e.message : String(e)];
}

export async function adminMain(argv: string[]): Promise<number> {
  let uri: string | undefined;
  let quiet = false;
  let i = 0;
  // Options before the command only, as virt-admin's getopt with "+".
  for (; i < argv.length && argv[i]!.startsWith("-"); i++) {
    const a = argv[i]!;
    if (a === "-c" || a === "--connect") {
      uri = argv[++i];
      if (uri === undefined) throw new UsageError(`${a} needs a URI\n${ADMIN_USAGE}`);
    } else if (a.startsWith("--connect=")) uri = a.slice("--connect=".length);
    else if (a === "-q" || a === "--quiet") quiet = true;
    else if (a === "-h" || a === "--help") {
      process.stdout.write(`${ADMIN_USAGE}\n`);
      return 0;
    } else throw new UsageError(`unsupported option '${a}'\n${ADMIN_USAGE}`);
  }
  const name = argv[i];
  if (name === undefined) throw new UsageError(ADMIN_USAGE);
  const def = COMMANDS.find((c) => c.names.includes(name));
  const fail = (lines: string[]): number => {
    process.stderr.write(lines.map((l) => `error: ${l}\n`).join(""));
    return 1;
  };
  if (def === undefined && VIRT_ADMIN_ONLY.includes(name)) return fail([`command '${name}' is virt-admin's, but not implemented here`]);
  // virt-admin's words for a name it does not know.
  if (def === undefined) return fail([`unknown command: '${name}'`]);
  let opts: Map<string, string>;
  try {
    // vsh names a command by its own name in messages, never by the alias used.
    opts = parseCommandArgs(def.names[0]!, def, argv.slice(i + 1));
  } catch (e) {
    return fail(errorLines(e));
  }
  if (opts.has("help")) {
    // A synopsis only: virt-admin's help texts are its own, and long.
    const words = def.options.map((o) => (o.kind === "data" ? `<${o.name}>` : `[--${o.name} <string>]`));
    process.stdout.write(`  SYNOPSIS\n    ${[def.names[0]!, ...words].join(" ")}\n\n`);
    return 0;
  }
  let conn: AdminClient;
  try {
    conn = await connectAdmin(uri);
  } catch (e) {
    return fail(["Failed to connect to the admin server", ...errorLines(e)]);
  }
  let out = "";
  const ctx: Context = { conn, quiet, out: (text) => (out += text) };
  let code = 0;
  try {
    await def.run(ctx, opts);
  } catch (e) {
    process.stdout.write(out);
    out = "";
    code = fail(errorLines(e));
  } finally {
    await conn.close();
  }
  // After every command, success or not, virt-admin prints a blank line unless quiet.
  process.stdout.write(out + (quiet ? "" : "\n"));
  return code;
}
