// virsh's Host and Hypervisor (virsh-host.c), Node Device (virsh-nodedev.c) and Interface (virsh-interface.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry } from "../command.js";
import type { VshContext } from "../vsh.js";

export const HOST_COMMANDS: readonly CommandEntry<VshContext>[] = [];
