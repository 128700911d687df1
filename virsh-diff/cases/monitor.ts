// Differential cases of src/cli/virsh/table-monitor.ts's commands.

import type { CaseGroup } from "../case.js";

export const groups: readonly CaseGroup[] = [];
