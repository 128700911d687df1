// Differential cases of src/cli/virsh/table-monitor.ts's commands.

import type { CaseGroup, VirshCase } from "../case.js";

const test = (args: string[], extra: Omit<VirshCase, "args" | "on"> = {}): VirshCase => ({ args, on: ["test"], ...extra });

/** The test driver's block and interface counters grow with the clock. */
const COUNTER = { pattern: /\b\d{6,}\b/g, replace: "N", why: "the test driver derives its counters from the time of day" };

export const groups: readonly CaseGroup[] = [
  {
    group: "Domain Monitoring",
    commands: ["domblkerror", "domblkinfo", "domblklist", "domblkstat", "domcontrol", "domif-getlink", "domifaddr", "domiflist", "domifstat", "dommemstat", "domtime"],
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
      test(["domblkstat", "test", "vda", "--human"], { masks: [COUNTER] }),
      test(["domblkstat", "test", "vdz"]),
      test(["domifstat", "test", "testnet0"], { masks: [COUNTER] }),
      test(["domifstat", "test", ""]),
      test(["dommemstat", "test"]),
      test(["dommemstat", "test", "--period", "-1"]),
      test(["dommemstat", "test", "--current", "--live"]),
      test(["domblkerror", "test"]),
      test(["domcontrol", "test"]),
      test(["domtime", "test", "--pretty"]),
      test(["domtime", "test", "--time", "abc"]),
      test(["domifaddr", "test", "--full", "--interface", "testnet0"]),
      test(["domifaddr", "test", "--source", "foo"]),
    ],
  },
];
