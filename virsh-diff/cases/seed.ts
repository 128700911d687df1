// The runner's own first cases, for commands implemented before the
// groups' case files grew (host facts, lists, a domain's information), so
// that the harness has something true to compare from the start.

import type { CaseGroup, Mask } from "../case.js";

/** A QEMU guest with no disk: under TCG its BIOS just waits, so it runs quietly. */
const guest = (name: string): string =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>` +
  "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>";

/** A test-driver domain, defined and undefined by the cases that need it. */
const testDomain = (name: string): string => `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>`;

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
const CPU_STATS: Mask = {
  pattern: /^( {2}cpu\.(?:time|user|system)=)\d+$/gm,
  replace: "$1N",
  why: "QEMU's cpu.* statistics are read live and move between the two runs",
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
    commands: ["list", "dominfo", "domstate", "domstats"],
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
      { args: ["domstats", "test"], on: ["test"] },
      { args: ["domstats"], on: ["test"] },
      { args: ["domstats", "--state", "--cpu-total", "--list-active", "--list-persistent"], on: ["test"] },
      { args: ["domstats", "--vcpu", "--list-inactive"], on: ["test"] },
      { args: ["domstats", "--state", "seed-run"], on: ["qemu"] },
      { args: ["domstats", "seed-off"], on: ["qemu"], masks: [CPU_STATS] },
      { args: ["domstats", "nope"] },
    ],
  },
  {
    group: "Domain Management",
    commands: ["define", "undefine", "start", "shutdown", "reboot", "reset", "destroy", "suspend", "resume", "dumpxml", "console", "screenshot"],
    files: { "t1.xml": testDomain("t1"), "dm.xml": guest("seed-dm") },
    setup: { qemu: [["define", "{dir}/dm.xml"]] },
    teardown: { qemu: [["undefine", "seed-dm"]] },
    cases: [
      // Each change runs between the same before and after on both sides; after shows the state it left.
      { args: ["define", "{dir}/t1.xml"], on: ["test"], after: [["domstate", "t1", "--reason"], ["undefine", "t1"]] },
      { args: ["undefine", "t1"], on: ["test"], before: [["define", "{dir}/t1.xml"]], after: [["list", "--all", "--name"]] },
      { args: ["start", "t1"], on: ["test"], before: [["define", "{dir}/t1.xml"]], after: [["domstate", "t1", "--reason"], ["destroy", "t1"], ["undefine", "t1"]] },
      { args: ["suspend", "test"], on: ["test"], after: [["domstate", "test", "--reason"], ["resume", "test"]] },
      { args: ["resume", "test"], on: ["test"], before: [["suspend", "test"]], after: [["domstate", "test", "--reason"]] },
      { args: ["reset", "test"], on: ["test"], after: [["domstate", "test", "--reason"]] },
      { args: ["reboot", "test"], on: ["test"], after: [["domstate", "test", "--reason"]] },
      { args: ["shutdown", "test"], on: ["test"], after: [["domstate", "test", "--reason"], ["start", "test"]] },
      { args: ["destroy", "test"], on: ["test"], after: [["domstate", "test", "--reason"], ["start", "test"]] },
      { args: ["screenshot", "test", "{dir}/shot.png"], on: ["test"], outputs: ["{dir}/shot.png"] },
      { args: ["start", "seed-dm"], on: ["qemu"], after: [["domstate", "seed-dm", "--reason"], ["destroy", "seed-dm"]] },
      { args: ["suspend", "seed-dm"], on: ["qemu"], before: [["start", "seed-dm"]], after: [["domstate", "seed-dm", "--reason"], ["destroy", "seed-dm"]] },
      { args: ["destroy", "seed-dm"], on: ["qemu"], before: [["start", "seed-dm"]], after: [["domstate", "seed-dm", "--reason"]] },
      // Read-only: what is printed, and the errors.
      { args: ["dumpxml", "test"], on: ["test"] },
      { args: ["dumpxml", "test", "--inactive"], on: ["test"] },
      { args: ["dumpxml", "test", "--security-info", "--migratable"], on: ["test"] },
      { args: ["dumpxml", "seed-dm"], on: ["qemu"] },
      { args: ["dumpxml", "nope"] },
      { args: ["define", "{dir}/nosuch.xml"] },
      { args: ["undefine", "nope"] },
      { args: ["start", "test"], on: ["test"] },
      { args: ["resume", "test"], on: ["test"] },
      { args: ["suspend", "seed-dm"], on: ["qemu"] },
      { args: ["shutdown", "test", "--mode", "bogus"], on: ["test"] },
      { args: ["destroy", "nope"] },
      { args: ["reboot", "nope"] },
      { args: ["reset", "nope"] },
      // No terminal on stdin (the harness gives none): refused after the domain's state, as virsh does.
      { args: ["console", "test"], on: ["test"] },
      { args: ["console", "test", "--devname", "serial0", "--force", "--safe"], on: ["test"] },
      { args: ["console", "seed-dm"], on: ["qemu"] },
      { args: ["console", "nosuch"] },
      // An empty --domain is refused before any lookup (virshCommandOptDomainBy); domstats' list is looked up as it is.
      { args: ["dumpxml", ""], on: ["test"] },
      { args: ["start", ""], on: ["test"] },
      { args: ["screenshot", ""], on: ["test"] },
      { args: ["domstats", ""], on: ["test"] },
      { args: ["screenshot", "test", "--screen", "abc"], on: ["test"] },
      { args: ["screenshot", "nope"] },
    ],
  },
  {
    group: "Storage Volume",
    commands: ["vol-list", "vol-upload", "vol-download"],
    // A directory pool of one volume on the QEMU side (the test driver's pool has no volumes).
    files: { "pool/data.raw": "hello\n", "in.txt": "uploaded\n" },
    setup: { qemu: [["pool-create-as", "seedpool", "dir", "--target", "{dir}/pool"]] },
    teardown: { qemu: [["pool-destroy", "seedpool"]] },
    cases: [
      { args: ["vol-list", "default-pool"], on: ["test"] },
      { args: ["vol-list", "default-pool", "--details"], on: ["test"] },
      { args: ["vol-list", "seedpool", "--details"], on: ["qemu"] },
      { args: ["vol-list", "nopool"] },
      { args: ["vol-upload", "data.raw", "{dir}/in.txt", "--pool", "seedpool"], on: ["qemu"], after: [["vol-info", "data.raw", "--pool", "seedpool"]] },
      // After the upload above: what our upload wrote, downloaded by each side.
      { args: ["vol-download", "data.raw", "{dir}/out.raw", "--pool", "seedpool"], on: ["qemu"], outputs: ["{dir}/out.raw"] },
      { args: ["vol-download", "nosuch", "{dir}/vol", "--pool", "default-pool"], on: ["test"] },
      { args: ["vol-upload", "nosuch", "{dir}/in.txt"] },
      // The test driver has no upload: virsh's "cannot upload to volume" line, then the daemon's; a missing
      // file is virsh's one line, before any call.
      {
        args: ["vol-upload", "vup", "{dir}/in.txt", "--pool", "default-pool"],
        on: ["test"],
        before: [["vol-create-as", "default-pool", "vup", "1M"]],
        after: [["vol-delete", "vup", "--pool", "default-pool"]],
      },
      { args: ["vol-upload", "data.raw", "{dir}/nosuch.txt", "--pool", "seedpool"], on: ["qemu"] },
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
