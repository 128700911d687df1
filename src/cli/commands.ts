// The registry of every command the CLI runs, of every family: virsh's
// (virsh/table.ts), virt-admin's under `admin` (admin/table.ts) and our own
// (here). main.ts dispatches through it and prints its `--help` list from
// it; each command's module is imported only when that command runs (see
// bench/cli-start.ts and test/cli/gen-loading.test.ts).

import { ADMIN_COMMANDS } from "./admin/table.js";
import { findEntry, type CommandEntry, type CommandModule, type OwnContext } from "./command.js";
import { VIRSH_COMMANDS } from "./virsh/table.js";

function own(name: string, summary: string, connects: boolean, module: CommandModule<OwnContext>): CommandEntry<OwnContext> {
  return { names: [name], family: "own", summary, connects, module };
}

const record: CommandModule<OwnContext> = () => import("./record.js");

export const OWN_COMMANDS: readonly CommandEntry<OwnContext>[] = [
  own("admin", "a daemon's admin server, as virt-admin (admin --help)", false, () => import("./admin/main.js")),
  own("call", "call any procedure, print the result as JSON", true, () => import("./call.js")),
  own("daemon", "run a throwaway libvirtd for tests and demos", false, () => import("./daemon.js")),
  own("demo", "a short tour against a throwaway daemon or LIBVIRT_DEFAULT_URI", false, () => import("./demo.js")),
  own("events", "wait for libvirt events, print them as virsh does", true, () => import("./events.js")),
  // The generator, loaded only by this command (codegen/ is a tool, not the CLI's).
  own("gen", "regenerate TypeScript from libvirt's .x files", false, () => import("../../codegen/cli.js")),
  own("record", "a recording proxy between any client and a daemon", false, record),
  own("replay", "serve a recorded session to any client", false, record),
  own("import-pcap", "turn a tcpdump/tshark capture of a session into a fixture", false, record),
];

/** Every command of every family. */
export const ALL_COMMANDS: readonly CommandEntry<never>[] = [...VIRSH_COMMANDS, ...OWN_COMMANDS, ...ADMIN_COMMANDS];

/** The top-level command a name means: a virsh command or one of ours (virt-admin's run under `admin`). */
export function topLevelCommand(name: string): CommandEntry<never> | undefined {
  return findEntry<never>(VIRSH_COMMANDS, name) ?? findEntry<never>(OWN_COMMANDS, name);
}

export { VIRSH_COMMANDS };

export function isVirshCommand(name: string): boolean {
  return findEntry(VIRSH_COMMANDS, name) !== undefined;
}
