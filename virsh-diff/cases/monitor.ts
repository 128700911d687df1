// Differential cases of src/cli/virsh/table-monitor.ts's commands.

import type { CaseGroup, Driver, Mask, VirshCase } from "../case.js";

const on =
  (...drivers: Driver[]) =>
  (args: string[], extra: Omit<VirshCase, "args" | "on"> = {}): VirshCase => ({ args, on: drivers, ...extra });
const test = on("test");
const qemu = on("qemu");

/** The test driver's block and interface counters grow with the clock. */
const COUNTER: Mask = { pattern: /\b\d{6,}\b/g, replace: "N", why: "the test driver derives its counters from the time of day" };

/** A running QEMU process's resident memory, as dommemstat reads it from the host. */
const RSS: Mask = { pattern: /^rss \d+$/gm, replace: "rss N", why: "the QEMU process's resident set size is read live from the host and grows as the guest runs" };

/** A running QEMU guest's clock, as domtime reads it. */
const GUEST_TIME: Mask = { pattern: /^Time: \d+$/gm, replace: "Time: N", why: "the guest's clock moves between the two runs" };

/** A QEMU guest with an empty CD drive and a user-mode network interface: nothing that needs a file or privilege. */
const monitorGuest = (name: string): string =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>` +
  "<emulator>/usr/bin/qemu-system-x86_64</emulator>" +
  "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>" +
  "<interface type='user'><mac address='52:54:00:6d:6f:01'/><model type='virtio'/></interface></devices></domain>";

/**
 * Snapshots and checkpoints of QEMU guests need a qcow2 disk (v3 for
 * checkpoints' bitmaps) that the daemon, running as another user, can
 * write: a pool the daemon builds under /tmp holds it.
 */
const POOL_DIR = "/tmp/virsh-diff-mon-pool";
const qcow2Volume = (name: string): string =>
  `<volume><name>${name}</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/><compat>1.1</compat></target></volume>`;
const diskGuest = (name: string): string =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>` +
  "<emulator>/usr/bin/qemu-system-x86_64</emulator>" +
  `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${POOL_DIR}/${name}.qcow2'/><target dev='vda' bus='virtio'/></disk>` +
  "</devices></domain>";

/** virsh lines that make the pool and a running guest on a fresh qcow2 volume, and that remove them. */
const diskGuestSetup = (name: string): string[][] => [
  ["pool-define-as", "mon-pool", "dir", "--target", POOL_DIR],
  ["pool-build", "mon-pool"],
  ["pool-start", "mon-pool"],
  ["vol-create", "mon-pool", `{dir}/${name}-vol.xml`],
  ["define", `{dir}/${name}.xml`],
  ["start", name],
];
const diskGuestTeardown = (name: string, metadata: string): string[][] => [
  ["destroy", name],
  ["undefine", name, metadata],
  ["vol-delete", `${name}.qcow2`, "--pool", "mon-pool"],
  ["pool-destroy", "mon-pool"],
  ["pool-delete", "mon-pool"],
  ["pool-undefine", "mon-pool"],
];

const monitoring: CaseGroup = {
  group: "Domain Monitoring",
  commands: ["domblkerror", "domblkinfo", "domblklist", "domblkstat", "domcontrol", "domif-getlink", "domifaddr", "domiflist", "domifstat", "dommemstat", "domtime", "guestinfo"],
  files: { "mon-m1.xml": monitorGuest("mon-m1") },
  setup: { qemu: [["define", "{dir}/mon-m1.xml"], ["start", "mon-m1"]] },
  teardown: { qemu: [["destroy", "mon-m1"], ["undefine", "mon-m1"]] },
  cases: [
    test(["domblklist", "test", "--details"]),
    qemu(["domblklist", "mon-m1", "--details"]),
    on("test", "qemu")(["domblklist", "nope"]),
    test(["domblklist", ""]),
    test(["domiflist", "test", "--inactive"]),
    qemu(["domiflist", "mon-m1"]),
    test(["domblkinfo", "test", "--all", "--human"]),
    test(["domblkinfo", "test", "vda"]),
    qemu(["domblkinfo", "mon-m1", "--all"]),
    test(["domblkinfo", "test"]),
    test(["domblkinfo", "test", "--all", "--device", "vda"]),
    test(["domblkinfo", "test", "vdz"]),
    test(["domif-getlink", "test", "AA:BB:CC:DD:EE:FF"]),
    qemu(["domif-getlink", "mon-m1", "52:54:00:6d:6f:01", "--config"]),
    test(["domif-getlink", "test", "eth9"]),
    test(["domblkstat", "test", "vda", "--human"], { masks: [COUNTER] }),
    qemu(["domblkstat", "mon-m1", "hdc"]),
    test(["domblkstat", "test", "vdz"]),
    test(["domifstat", "test", "testnet0"], { masks: [COUNTER] }),
    test(["domifstat", "test", ""]),
    qemu(["domifstat", "mon-m1", "nope0"]),
    test(["dommemstat", "test"]),
    qemu(["dommemstat", "mon-m1"], { masks: [RSS] }),
    test(["dommemstat", "test", "--period", "-1"]),
    test(["dommemstat", "test", "--period", "x"]),
    test(["dommemstat", "test", "--current", "--live"]),
    test(["domblkerror", "test"]),
    qemu(["domblkerror", "mon-m1"]),
    test(["domcontrol", "test"]),
    qemu(["domcontrol", "mon-m1"]),
    test(["domtime", "test", "--pretty"]),
    qemu(["domtime", "mon-m1"], { masks: [GUEST_TIME] }),
    test(["domtime", "test", "--time", "abc"]),
    test(["domtime", "test", "--now", "--sync"]),
    test(["domifaddr", "test", "--full", "--interface", "testnet0"]),
    qemu(["domifaddr", "mon-m1"]),
    test(["domifaddr", "test", "--source", "foo"]),
    // guestinfo: virsh lists it under Domain Management; no guest here has an agent, so its failures.
    test(["guestinfo", "test"]),
    qemu(["guestinfo", "mon-m1", "--os", "--hostname"]),
  ],
};

/** $EDITOR scripts: one adds a description to a snapshot's or checkpoint's XML, one renames e1 to e1-b. */
const DESCRIBE = "sed -i 's#</domain\\(snapshot\\|checkpoint\\)>$#<description>edited</description>&#'";
const RENAME = "sed -i 's|<name>e1</name>|<name>e1-b</name>|'";
/** What an edit case leaves: e1 gone, s3 current again. */
const EDIT_AFTER = [
  ["snapshot-delete", "test", "e1"],
  ["snapshot-current", "test", "s3"],
];

const SNAPSHOT_XML = "<domainsnapshot><name>fromfile</name><description>from a file</description></domainsnapshot>\n";

const snapshots: CaseGroup = {
  group: "Snapshot",
  commands: [
    "snapshot-create",
    "snapshot-create-as",
    "snapshot-current",
    "snapshot-delete",
    "snapshot-dumpxml",
    "snapshot-edit",
    "snapshot-info",
    "snapshot-list",
    "snapshot-parent",
    "snapshot-revert",
  ],
  files: { "snap.xml": SNAPSHOT_XML, "mon-s1.xml": diskGuest("mon-s1"), "mon-s1-vol.xml": qcow2Volume("mon-s1.qcow2") },
  setup: {
    // s1 -> s2, s1 -> s3 (current) on the test driver; q1 -> q2 (current) on QEMU.
    test: [["snapshot-create-as", "test", "s1", "--description", "first"], ["snapshot-create-as", "test", "s2"], ["snapshot-revert", "test", "s1"], ["snapshot-create-as", "test", "s3"]],
    qemu: [...diskGuestSetup("mon-s1"), ["snapshot-create-as", "mon-s1", "q1", "--description", "first"], ["snapshot-create-as", "mon-s1", "q2"]],
  },
  teardown: { test: [["snapshot-delete", "test", "s1", "--children"]], qemu: diskGuestTeardown("mon-s1", "--snapshots-metadata") },
  cases: [
    test(["snapshot-list", "test"]),
    test(["snapshot-list", "test", "--tree"]),
    test(["snapshot-list", "test", "--parent"]),
    test(["snapshot-list", "test", "--from", "s1", "--name"]),
    test(["snapshot-list", "test", "--current", "--tree"]),
    test(["snapshot-list", "test", "--leaves", "--topological", "--name"]),
    test(["snapshot-list", "test", "--tree", "--name"]),
    test(["snapshot-list", "test", "--tree", "--leaves"]),
    test(["snapshot-list", "test", "--descendants"]),
    test(["snapshot-list", ""]),
    qemu(["snapshot-list", "mon-s1", "--parent"]),
    qemu(["snapshot-list", "mon-s1", "--tree"]),
    test(["snapshot-info", "test", "s1"]),
    test(["snapshot-info", "test", "--current"]),
    test(["snapshot-info", "test"]),
    test(["snapshot-info", "test", "s1", "--current"]),
    qemu(["snapshot-info", "mon-s1", "q1"]),
    test(["snapshot-parent", "test", "s2"]),
    test(["snapshot-parent", "test", "s1"]),
    qemu(["snapshot-parent", "mon-s1", "--current"]),
    test(["snapshot-current", "test", "--name"]),
    test(["snapshot-current", "test"]),
    test(["snapshot-current", "test", "--name", "--snapshotname", "s2"]),
    test(["snapshot-current", "test", "s2"], { after: [["snapshot-current", "test", "s3"]] }),
    qemu(["snapshot-current", "mon-s1", "--name"]),
    test(["snapshot-dumpxml", "test", "s2"]),
    test(["snapshot-dumpxml", "test", "nope"]),
    test(["snapshot-dumpxml", "test", "s2", "--xpath", "/domainsnapshot/*[self::name or self::parent]", "--wrap"]),
    qemu(["snapshot-dumpxml", "mon-s1", "q1"]),
    test(["snapshot-create-as", "test", "--print-xml", "--name", "a<b", "--memspec", "/m,snapshot=external", "--diskspec", "vda,snapshot=external,driver=qcow2,file=/x", "--diskspec", "vdb"]),
    test(["snapshot-create-as", "test", "--print-xml", "--diskspec", "vda,stype=tape"]),
    test(["snapshot-create-as", "test", "n1", "--description", "new"], { after: [["snapshot-list", "test", "--tree"], ["snapshot-delete", "test", "n1"], ["snapshot-current", "test", "s3"]] }),
    qemu(["snapshot-create-as", "mon-s1", "q3"], { after: [["snapshot-list", "mon-s1", "--tree"], ["snapshot-delete", "mon-s1", "q3"], ["snapshot-current", "mon-s1", "q2"]] }),
    test(["snapshot-create", "test", "{dir}/snap.xml"], { after: [["snapshot-delete", "test", "fromfile"], ["snapshot-current", "test", "s3"]] }),
    test(["snapshot-create", "test", "{dir}/missing.xml"]),
    test(["snapshot-delete", "test", "d1"], { before: [["snapshot-create-as", "test", "d1"]], after: [["snapshot-current", "test", "s3"], ["snapshot-list", "test", "--name"]] }),
    test(["snapshot-delete", "test"]),
    test(["snapshot-delete", "test", "nope"]),
    test(["snapshot-revert", "test", "s2"], { after: [["snapshot-current", "test", "s3"]] }),
    qemu(["snapshot-revert", "mon-s1", "q1"], { after: [["snapshot-current", "mon-s1", "q2"]] }),
    test(["snapshot-revert", "test", "nope"]),
    // snapshot-edit on a fresh snapshot e1, its editor a sed script (virsh runs it through sh -c, as we do).
    test(["snapshot-edit", "test", "e1"], { before: [["snapshot-create-as", "test", "e1"]], env: { EDITOR: "true" }, after: EDIT_AFTER }),
    test(["snapshot-edit", "test", "e1"], { before: [["snapshot-create-as", "test", "e1"]], env: { EDITOR: DESCRIBE }, after: [["snapshot-dumpxml", "test", "e1", "--xpath", "//description"], ...EDIT_AFTER] }),
    test(["snapshot-edit", "test", "e1", "--clone"], { before: [["snapshot-create-as", "test", "e1"]], env: { EDITOR: RENAME }, after: [["snapshot-delete", "test", "e1-b"], ...EDIT_AFTER] }),
    test(["snapshot-edit", "test", "e1"], { before: [["snapshot-create-as", "test", "e1"]], env: { EDITOR: RENAME }, after: [["snapshot-delete", "test", "e1-b"], ...EDIT_AFTER] }),
    test(["snapshot-edit", "test", "nope"]),
    test(["snapshot-edit", "test", "s1", "--rename", "--clone"]),
    test(["snapshot-edit", "test"]),
  ],
};

const checkpoints: CaseGroup = {
  group: "Checkpoint",
  commands: [
    "checkpoint-create",
    "checkpoint-create-as",
    "checkpoint-delete",
    "checkpoint-dumpxml",
    "checkpoint-edit",
    "checkpoint-info",
    "checkpoint-list",
    "checkpoint-parent",
  ],
  files: {
    "chk.xml": "<domaincheckpoint><name>fromfile</name><description>from a file</description></domaincheckpoint>\n",
    "mon-c1.xml": diskGuest("mon-c1"),
    "mon-c1-vol.xml": qcow2Volume("mon-c1.qcow2"),
  },
  setup: {
    // c1 -> c2 -> c3 on the test driver (its guest runs), k1 -> k2 on QEMU.
    test: [["checkpoint-create-as", "test", "c1", "--description", "first"], ["checkpoint-create-as", "test", "c2"], ["checkpoint-create-as", "test", "c3"]],
    qemu: [...diskGuestSetup("mon-c1"), ["checkpoint-create-as", "mon-c1", "k1"], ["checkpoint-create-as", "mon-c1", "k2"]],
  },
  teardown: { test: [["checkpoint-delete", "test", "c1", "--children"]], qemu: diskGuestTeardown("mon-c1", "--checkpoints-metadata") },
  cases: [
    test(["checkpoint-list", "test"]),
    test(["checkpoint-list", "test", "--tree"]),
    test(["checkpoint-list", "test", "--parent"]),
    test(["checkpoint-list", "test", "--from", "c1", "--descendants", "--name"]),
    test(["checkpoint-list", "test", "--leaves", "--tree"]),
    test(["checkpoint-list", "test", "--descendants"]),
    qemu(["checkpoint-list", "mon-c1", "--tree"]),
    test(["checkpoint-info", "test", "c2"]),
    test(["checkpoint-info", "test"]),
    qemu(["checkpoint-info", "mon-c1", "k1"]),
    test(["checkpoint-parent", "test", "c2"]),
    test(["checkpoint-parent", "test", "c1"]),
    test(["checkpoint-dumpxml", "test", "c2", "--no-domain"]),
    test(["checkpoint-dumpxml", "test", "nope"]),
    test(["checkpoint-dumpxml", "test", "c2", "--no-domain", "--xpath", "//parent/name"]),
    qemu(["checkpoint-dumpxml", "mon-c1", "k2", "--no-domain", "--size"]),
    test(["checkpoint-create-as", "test", "--print-xml", "--name", "x&y", "--diskspec", "vda,checkpoint=bitmap,bitmap=b1", "--diskspec", "vdb"]),
    test(["checkpoint-create-as", "test", "--print-xml", "--diskspec", "vda,size=1"]),
    test(["checkpoint-create-as", "test", "n1"], { after: [["checkpoint-list", "test", "--tree"], ["checkpoint-delete", "test", "n1"]] }),
    qemu(["checkpoint-create-as", "mon-c1", "k3"], { after: [["checkpoint-list", "mon-c1", "--tree"], ["checkpoint-delete", "mon-c1", "k3"]] }),
    test(["checkpoint-create", "test", "{dir}/chk.xml"], { after: [["checkpoint-delete", "test", "fromfile"]] }),
    test(["checkpoint-create", "test", "--redefine-validate"]),
    test(["checkpoint-delete", "test", "d1"], { before: [["checkpoint-create-as", "test", "d1"]], after: [["checkpoint-list", "test", "--name"]] }),
    test(["checkpoint-delete", "test", "nope"]),
    test(["checkpoint-delete", "test"]),
    test(["checkpoint-edit", "test", "c2"], { env: { EDITOR: "true" } }),
    test(["checkpoint-edit", "test", "e1"], { before: [["checkpoint-create-as", "test", "e1"]], env: { EDITOR: DESCRIBE }, after: [["checkpoint-dumpxml", "test", "e1", "--no-domain", "--xpath", "//description"], ["checkpoint-delete", "test", "e1"]] }),
    test(["checkpoint-edit", "test", "nope"]),
    test(["checkpoint-edit", "test"]),
  ],
};

export const groups: readonly CaseGroup[] = [monitoring, snapshots, checkpoints];
