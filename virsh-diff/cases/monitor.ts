// Differential cases of src/cli/virsh/table-monitor.ts's commands.

import type { CaseGroup, VirshCase } from "../case.js";

const test = (args: string[], extra: Omit<VirshCase, "args" | "on"> = {}): VirshCase => ({ args, on: ["test"], ...extra });

export const groups: readonly CaseGroup[] = [
  {
    group: "Domain Monitoring",
    commands: ["domblkinfo", "domblklist", "domif-getlink", "domiflist"],
    cases: [
      test(["domblklist", "test", "--details"]),
      test(["domblklist", "nope"]),
      test(["domiflist", "test", "--inactive"]),
      test(["domblkinfo", "test", "--all", "--human"]),
      test(["domblkinfo", "test", "vda"]),
      test(["domblkinfo", "test"]),
      test(["domblkinfo", "test", "vdz"]),
      test(["domif-getlink", "test", "AA:BB:CC:DD:EE:FF"]),
      test(["domif-getlink", "test", "eth9"]),
    ],
  },
];
