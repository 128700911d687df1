// virsh's Domain Management commands (virsh-domain.c) beyond the core ones in table.ts: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry } from "../command.js";
import type { VshContext } from "../vsh.js";

export const DOMAIN_COMMANDS: readonly CommandEntry<VshContext>[] = [];
