// virsh's virsh itself (help, echo, cd, pwd, quit, exit, connect) and Domain Events (event): which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry } from "../command.js";
import type { VshContext } from "../vsh.js";

export const VSH_COMMANDS: readonly CommandEntry<VshContext>[] = [];
