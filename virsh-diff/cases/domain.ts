// Differential cases of src/cli/virsh/table-domain.ts's commands.

import type { CaseGroup } from "../case.js";

export const groups: readonly CaseGroup[] = [];
