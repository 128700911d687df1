// virsh's virsh itself (help, echo, cd, pwd, quit, exit, connect) and Domain Events (event): which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";
import { virsh } from "./entry.js";

const help: CommandModule<VshContext> = () => import("./help.js");
const shell: CommandModule<VshContext> = () => import("./vsh-shell.js");
const events: CommandModule<VshContext> = () => import("./event.js");

export const VSH_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("event", "Domain Events", events),
  virsh("cd", "change the current directory", shell),
  virsh("echo", "echo arguments. Used for internal testing.", shell),
  virsh("exit", "quit this interactive terminal", shell),
  virsh("help", "print help", help),
  virsh("pwd", "print the current directory", shell),
  virsh("quit", "quit this interactive terminal", shell),
  virsh("connect", "(re)connect to hypervisor", shell),
];
