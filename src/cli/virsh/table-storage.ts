// virsh's Storage Pool (virsh-pool.c) and Storage Volume (virsh-volume.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry } from "../command.js";
import type { VshContext } from "../vsh.js";

export const STORAGE_COMMANDS: readonly CommandEntry<VshContext>[] = [];
