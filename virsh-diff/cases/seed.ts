// The runner's own first cases, for commands implemented before the
// groups' case files grew (host facts, lists, a domain's information), so
// that the harness has something true to compare from the start.

import type { CaseGroup, Mask } from "../case.js";

/** A QEMU guest with no disk: under TCG its BIOS just waits, so it runs quietly. */
const guest = (name: string): string =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>` +
  "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>";

const LIBRARY_VERSION: Mask = {
  pattern: /^(Compiled against library: libvirt |Using library: libvirt )[\d.]+$/gm,
  replace: "$1X",
  why: "names the client library: libvirt 9.0.0 for virsh, the protocol version this client was generated from for us",
};
const API_VERSION: Mask = {
  pattern: /^(Using API: \S+ )[\d.]+$/gm,
  replace: "$1X",
  why: "the client library's version again, on the API line",
};
const CPU_TIME: Mask = {
  pattern: /^(CPU time: +)\d+\.\ds$/gm,
  replace: "$1N.Ns",
  why: "a running domain's CPU time moves between the two runs (the test driver's is the wall clock)",
};

export const groups: readonly CaseGroup[] = [
  {
    group: "Host and Hypervisor",
    commands: ["version", "uri", "hostname", "nodeinfo", "capabilities"],
    cases: [
      { args: ["version"], masks: [LIBRARY_VERSION, API_VERSION] },
      { args: ["version", "--daemon"], masks: [LIBRARY_VERSION, API_VERSION] },
      { args: ["uri"] },
      { args: ["hostname"] },
      { args: ["nodeinfo"] },
      { args: ["capabilities"], on: ["test"] },
    ],
  },
  {
    group: "Domain Monitoring",
    commands: ["list", "dominfo", "domstate"],
    files: { "off.xml": guest("seed-off"), "run.xml": guest("seed-run") },
    setup: {
      qemu: [
        ["define", "{dir}/off.xml"],
        ["define", "{dir}/run.xml"],
        ["start", "seed-run"],
      ],
    },
    teardown: {
      qemu: [
        ["destroy", "seed-run"],
        ["undefine", "seed-run"],
        ["undefine", "seed-off"],
      ],
    },
    cases: [
      { args: ["list"] },
      { args: ["list", "--all"] },
      { args: ["list", "--name", "--all"] },
      { args: ["-q", "list", "--all"] },
      { args: ["list", "--bogus"] },
      { args: ["dominfo", "test"], on: ["test"], masks: [CPU_TIME] },
      { args: ["dominfo", "seed-run"], on: ["qemu"], masks: [CPU_TIME] },
      { args: ["dominfo", "seed-off"], on: ["qemu"] },
      { args: ["dominfo", "nope"] },
      { args: ["domstate", "test", "--reason"], on: ["test"] },
      { args: ["domstate", "seed-run", "--reason"], on: ["qemu"] },
      // A change and its undoing, the state checked after it on each side.
      { args: ["domstate", "test"], on: ["test"], before: [["suspend", "test"]], after: [["resume", "test"]] },
    ],
  },
  {
    group: "Networking",
    commands: ["net-list"],
    cases: [{ args: ["net-list", "--all"] }, { args: ["net-list", "--name"] }],
  },
  {
    group: "Storage Pool",
    commands: ["pool-list"],
    cases: [{ args: ["pool-list", "--all", "--details"] }, { args: ["pool-list", "--type", "dir"] }],
  },
];
