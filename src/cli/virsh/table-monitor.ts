// virsh's Domain Monitoring (virsh-domain-monitor.c), Snapshot (virsh-snapshot.c) and Checkpoint (virsh-checkpoint.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry } from "../command.js";
import type { VshContext } from "../vsh.js";

export const MONITOR_COMMANDS: readonly CommandEntry<VshContext>[] = [];
