// virsh's Networking (virsh-network.c), Network Filter (virsh-nwfilter.c) and Secret (virsh-secret.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry } from "../command.js";
import type { VshContext } from "../vsh.js";

export const NETWORK_COMMANDS: readonly CommandEntry<VshContext>[] = [];
