// `libvirt-remote admin`: virt-admin's options (-c, -q: before the command,
// as its getopt reads them), then one of virt-admin's commands, parsed by
// the one parser and printed as virt-admin prints it.

import { connectAdmin, type AdminClient } from "../../admin/client.js";
import { HELP, helpText, listCommands, lookupIn, type OwnCommand } from "../command.js";
import { argvTokens, parseCommands } from "../parse.js";
import { UsageError } from "../usage.js";
import { causeLines } from "../vsh.js";
import type { AdminContext } from "./commands.js";
import { ADMIN_COMMANDS, VIRT_ADMIN_ONLY } from "./table.js";

function adminHelp(): string {
  return `usage: libvirt-remote admin [-c URI] [-q] COMMAND [ARGS...]

  -c, --connect URI  the daemon's admin URI (libvirtd:///system, virtqemud:///session,
                     libvirtd:///session?socket=PATH, ...; default as virt-admin)
  -q, --quiet        no headers, labels or trailing blank line

commands, printed as virt-admin prints them (admin COMMAND --help: its options):
${listCommands(ADMIN_COMMANDS)}

virt-admin's other commands (server-threadpool-set, server-clients-set,
server-update-tls, daemon-timeout, and those of its interactive shell) are
not implemented here.`;
}

const admin: OwnCommand = {
  names: ["admin"],
  options: [
    { name: "connect", type: "string", short: "c", named: true },
    { name: "quiet", type: "bool", short: "q" },
    HELP,
    // The admin command and its words: the options above come before it, as virt-admin's getopt "+" reads them.
    { name: "command", type: "argv", required: true, rest: true },
  ],
  help: adminHelp(),
  async run({ globals }, opts) {
    const [name, ...words] = opts.argv("command");
    if (VIRT_ADMIN_ONLY.includes(name!) && !ADMIN_COMMANDS.some((e) => e.names.includes(name!))) {
      throw new UsageError([`command '${name}' is virt-admin's, but not implemented here`]);
    }
    // vsh names a command by its own name in messages, never by the alias used.
    const { def, opts: cmdOpts } = (await parseCommands(argvTokens([name!, ...words]), lookupIn(ADMIN_COMMANDS)))[0]!;
    const quiet = opts.bool("quiet") || globals.quiet;
    const fail = (lines: string[]): false => {
      process.stderr.write(lines.map((l) => `error: ${l}\n`).join(""));
      return false;
    };
    if (cmdOpts.bool("help")) {
      // After every command virt-admin prints a blank line.
      process.stdout.write(`${helpText(def)}\n`);
      return true;
    }
    let conn: AdminClient;
    try {
      conn = await connectAdmin(opts.string("connect") ?? globals.connect);
    } catch (e) {
      return fail(["Failed to connect to the admin server", ...causeLines(e)]);
    }
    let out = "";
    const ctx: AdminContext = { conn, quiet, out: (text) => (out += text) };
    let ok = true;
    try {
      await def.run(ctx, cmdOpts);
    } catch (e) {
      process.stdout.write(out);
      out = "";
      ok = fail(causeLines(e));
    } finally {
      await conn.close();
    }
    // After every command, success or not, virt-admin prints a blank line unless quiet.
    process.stdout.write(out + (quiet ? "" : "\n"));
    return ok;
  },
};

export const commands: readonly OwnCommand[] = [admin];
