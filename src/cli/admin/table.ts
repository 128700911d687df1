// virt-admin's commands that `libvirt-remote admin` runs (its summaries are
// virt-admin 9.0's), and the names of those it does not.

import type { CommandEntry, CommandModule } from "../command.js";
import type { AdminContext } from "./commands.js";

const commands: CommandModule<AdminContext> = () => import("./commands.js");

/** Run by `admin`, which makes the connection: none takes the global options itself. */
function admin(names: string[], summary: string): CommandEntry<AdminContext> {
  return { names, family: "admin", summary, connects: false, module: commands };
}

export const ADMIN_COMMANDS: readonly CommandEntry<AdminContext>[] = [
  admin(["server-list", "srv-list"], "list available servers on a daemon"),
  admin(["server-threadpool-info", "srv-threadpool-info"], "get server workerpool parameters"),
  admin(["client-list", "srv-clients-list"], "list clients connected to <server>"),
  admin(["client-info"], "retrieve client's identity info from server"),
  admin(["client-disconnect"], "force disconnect a client from the given server"),
  admin(["server-clients-info", "srv-clients-info"], "get server's client-related configuration limits"),
  admin(["daemon-log-outputs"], "fetch or set the currently defined set of logging outputs on daemon"),
  admin(["daemon-log-filters"], "fetch or set the currently defined set of logging filters on daemon"),
];

/** Every command name, aliases included, that this CLI runs: each one virt-admin 9.0 has (see the test). */
export const ADMIN_COMMAND_NAMES: readonly string[] = ADMIN_COMMANDS.flatMap((c) => c.names);

/**
 * The names virt-admin 9.0 knows (tools/virt-admin.c: vshAdmCmds,
 * monitoringCmds, managementCmds, aliases included) that this CLI does not
 * run: refused as not implemented, never as an unknown command.
 */
export const VIRT_ADMIN_ONLY: readonly string[] = [
  ...["cd", "echo", "exit", "help", "pwd", "quit", "self-test", "complete", "uri", "version", "connect"],
  ...["server-threadpool-set", "srv-threadpool-set", "server-clients-set", "srv-clients-set", "server-update-tls", "srv-update-tls", "daemon-timeout"],
];
