// Differential cases of src/cli/virsh/table-storage.ts's commands.
//
// The test driver has "default-pool" (running, no volumes until setup adds
// one). On QEMU's session driver the daemon runs as another user, so the
// pools live beside the group's directory in /tmp ("{dir}-pool"), made by
// pool-build as the daemon's user and removed by pool-delete.

import type { CaseGroup, Mask } from "../case.js";

const test = ["test"] as const;
const qemu = ["qemu"] as const;

/** default-pool's UUID in the test driver's built-in state. */
const DEFAULT_POOL_UUID = "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566";

/** A real directory pool's sizes are the host file system's, which other programs change between the two runs. */
const POOL_SIZES: Mask = {
  pattern: /^((?:Capacity|Allocation|Available):\s+)\d+\.\d\d \w+$|(<(?:capacity|allocation|available) unit='bytes'>)\d+(<)/gm,
  replace: "$1$2N$3",
  why: "a directory pool's capacity, allocation and available bytes are those of the host's /tmp, which moves",
};

/** A file volume's times are when it was last read or changed: each program's run reads it anew. */
const VOL_TIMES: Mask = {
  pattern: /<(atime|mtime|ctime|btime)>[\d.]+<\/\1>/g,
  replace: "<$1>T</$1>",
  why: "the volume file's access and change times move as each program reads it",
};

const poolXml = (name: string, path: string): string => `<pool type='dir'>\n  <name>${name}</name>\n  <target>\n    <path>${path}</path>\n  </target>\n</pool>\n`;
const volXml = (name: string): string => `<volume>\n  <name>${name}</name>\n  <capacity unit='KiB'>64</capacity>\n</volume>\n`;

const poolGroup: CaseGroup = {
  group: "Storage Pool",
  commands: [
    "find-storage-pool-sources-as",
    "find-storage-pool-sources",
    "pool-autostart",
    "pool-build",
    "pool-create-as",
    "pool-create",
    "pool-define-as",
    "pool-define",
    "pool-delete",
    "pool-destroy",
    "pool-dumpxml",
    "pool-edit",
    "pool-info",
    "pool-name",
    "pool-refresh",
    "pool-start",
    "pool-undefine",
    "pool-uuid",
    "pool-event",
    "pool-capabilities",
  ],
  files: {
    "sp-made.xml": poolXml("sp-made", "/sp-made"),
    "sp-bad.xml": "<pool type='dir'><name>sp-bad</name>",
  },
  setup: {
    qemu: [
      ["pool-define-as", "sp-run", "dir", "--target", "{dir}-pool"],
      ["pool-build", "sp-run"],
      ["pool-start", "sp-run"],
      ["pool-define-as", "sp-off", "dir", "--target", "{dir}-off"],
    ],
  },
  teardown: {
    qemu: [
      ["pool-destroy", "sp-run"],
      ["pool-delete", "sp-run"],
      ["pool-undefine", "sp-run"],
      ["pool-undefine", "sp-off"],
    ],
  },
  cases: [
    // find-storage-pool-sources(-as): the test driver's canned sources; QEMU's refusals, and virsh's own checks.
    { args: ["find-storage-pool-sources", "logical"], on: test },
    { args: ["find-storage-pool-sources-as", "netfs", "--host", "h", "--port", "2049"], on: test },
    { args: ["find-storage-pool-sources", "netfs"] },
    { args: ["find-storage-pool-sources", "dir", "--srcSpec", "{dir}/nope.xml"], on: test },
    { args: ["find-storage-pool-sources-as", "netfs", "--host", "h", "--port", ""], on: test },
    { args: ["find-storage-pool-sources-as", "dir", "--host", "h", "--port", "2049", "--initiator", "iqn.x"], on: qemu },
    // pool-autostart
    { args: ["pool-autostart", "default-pool"], on: test, after: [["pool-autostart", "default-pool", "--disable"]] },
    { args: ["pool-autostart", "--disable", "sp-off"], on: qemu },
    { args: ["pool-autostart", "nope"], on: test },
    // pool-build
    { args: ["pool-build", "default-pool"], on: test },
    { args: ["pool-build", "sp-run", "--no-overwrite"], on: qemu },
    // pool-create, pool-create-as
    { args: ["pool-create", "{dir}/sp-made.xml"], on: test, after: [["pool-destroy", "sp-made"]] },
    { args: ["pool-create", "{dir}/sp-made.xml", "--overwrite", "--no-overwrite"], on: test },
    { args: ["pool-create", "{dir}/sp-bad.xml"], on: test },
    { args: ["pool-create", "{dir}/nope.xml"], on: test },
    { args: ["pool-create-as", "sp-as", "dir", "--target", "/sp-as"], on: test, after: [["pool-destroy", "sp-as"]] },
    {
      args: ["pool-create-as", "sp-x", "netfs", "--print-xml", "--source-host", "h", "--source-path", "/export", "--source-format", "nfs", "--target", "/mnt", "--source-protocol-ver", "4"],
      on: test,
    },
    { args: ["pool-create-as", "sp-x", "iscsi", "--auth-type", "chap", "--secret-usage", "u", "--secret-uuid", "x"], on: test },
    // pool-define, pool-define-as
    { args: ["pool-define", "{dir}/sp-made.xml"], on: test, after: [["pool-undefine", "sp-made"]] },
    { args: ["pool-define", "{dir}"], on: test },
    { args: ["pool-define-as", "sp-def", "dir", "--target", "/sp-def"], on: test, after: [["pool-undefine", "sp-def"]] },
    {
      args: ["pool-define-as", "sp-x", "logical", "--print-xml", "--source-dev", "/dev/sdz", "--source-name", "vg0", "--adapter-wwnn", "a", "--adapter-wwpn", "b", "--adapter-parent", "p"],
      on: test,
    },
    // pool-delete, pool-destroy, pool-undefine, pool-start, pool-refresh
    {
      args: ["pool-delete", "sp-del"],
      on: qemu,
      before: [
        ["pool-define-as", "sp-del", "dir", "--target", "{dir}-del"],
        ["pool-build", "sp-del"],
      ],
      after: [["pool-undefine", "sp-del"]],
    },
    { args: ["pool-delete", "sp-off"], on: qemu },
    { args: ["pool-delete", "default-pool"], on: test },
    { args: ["pool-destroy", "sp-gone"], on: test, before: [["pool-create-as", "sp-gone", "dir", "--target", "/sp-gone"]] },
    { args: ["pool-destroy", "sp-off"], on: qemu },
    { args: ["pool-destroy", ""], on: test },
    { args: ["pool-undefine", "sp-undef"], on: test, before: [["pool-define-as", "sp-undef", "dir", "--target", "/sp-undef"]] },
    { args: ["pool-undefine", "default-pool"], on: test },
    {
      args: ["pool-start", "sp-st", "--build"],
      on: test,
      before: [["pool-define-as", "sp-st", "dir", "--target", "/sp-st"]],
      after: [["pool-destroy", "sp-st"], ["pool-undefine", "sp-st"]],
    },
    { args: ["pool-start", "sp-run"], on: qemu },
    { args: ["pool-start", "nope", "--overwrite", "--no-overwrite"], on: test },
    { args: ["pool-start", "default-pool", "--overwrite", "--no-overwrite"], on: test },
    { args: ["pool-refresh", "default-pool"], on: test },
    { args: ["pool-refresh", "sp-run"], on: qemu },
    { args: ["pool-refresh", "sp-off"], on: qemu },
    // pool-dumpxml, pool-info, pool-name, pool-uuid
    { args: ["pool-dumpxml", "default-pool"], on: test },
    { args: ["pool-dumpxml", "sp-run", "--inactive"], on: qemu, masks: [POOL_SIZES] },
    { args: ["pool-dumpxml", "default-pool", "--xpath", ""], on: test },
    { args: ["pool-dumpxml", "default-pool", "--xpath", "/pool/target | //@unit"], on: test },
    { args: ["pool-dumpxml", "default-pool", "--wrap", "--xpath", "/pool/*[position() > 4]"], on: test },
    { args: ["pool-dumpxml", "default-pool", "--wrap", "--xpath", "/pool/name["], on: test },
    { args: ["pool-info", "default-pool"], on: test },
    { args: ["pool-info", DEFAULT_POOL_UUID, "--bytes"], on: test },
    { args: ["pool-info", "sp-run"], on: qemu, masks: [POOL_SIZES] },
    { args: ["pool-info", "sp-off"], on: qemu },
    { args: ["pool-name", DEFAULT_POOL_UUID], on: test },
    { args: ["pool-name", "default-pool"], on: test },
    { args: ["pool-name", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"], on: test },
    { args: ["pool-uuid", "default-pool"], on: test },
    { args: ["pool-uuid", DEFAULT_POOL_UUID], on: test },
    // pool-edit: no $EDITOR in the cases, so only the lookup (test/cli/virsh-storage.test.ts runs the editor).
    { args: ["pool-edit", "nope"], on: test },
    // pool-list (storage.ts; the seed group has its listings)
    { args: ["pool-list", "--type", "", "--details"], on: test },
    // pool-event: nothing happens while a case runs, so the list, the checks and a wait that times out.
    { args: ["pool-event", "--list"], on: test },
    { args: ["pool-event"], on: test },
    { args: ["pool-event", "--event", "bogus"], on: test },
    { args: ["pool-event", "--pool", "nope", "--event", "refresh", "--timeout", "1"], on: test },
    // pool-capabilities
    { args: ["pool-capabilities"] },
  ],
};

const volGroup: CaseGroup = {
  group: "Storage Volume",
  commands: [
    "vol-clone",
    "vol-create-as",
    "vol-create",
    "vol-create-from",
    "vol-delete",
    "vol-dumpxml",
    "vol-info",
    "vol-key",
    "vol-list",
    "vol-name",
    "vol-path",
    "vol-pool",
    "vol-resize",
    "vol-wipe",
  ],
  files: {
    "made.xml": volXml("made.img"),
    "bad.xml": "<volume><name>bad",
  },
  setup: {
    test: [["vol-create-as", "default-pool", "tv.img", "1M", "--allocation", "512K"]],
    qemu: [
      ["pool-define-as", "sv-run", "dir", "--target", "{dir}-pool"],
      ["pool-build", "sv-run"],
      ["pool-start", "sv-run"],
      ["vol-create-as", "sv-run", "base.img", "1M", "--format", "raw"],
      ["pool-define-as", "sv-off", "dir", "--target", "{dir}-off"],
    ],
  },
  teardown: {
    test: [["vol-delete", "tv.img", "--pool", "default-pool"]],
    qemu: [
      ["vol-delete", "base.img", "--pool", "sv-run"],
      ["pool-destroy", "sv-run"],
      ["pool-delete", "sv-run"],
      ["pool-undefine", "sv-run"],
      ["pool-undefine", "sv-off"],
    ],
  },
  cases: [
    // vol-create-as: sizes as virsh reads them, the backing volume, and the XML it would send.
    { args: ["vol-create-as", "sv-run", "new.img", "2M", "--format", "qcow2"], on: qemu, after: [["vol-delete", "new.img", "--pool", "sv-run"]] },
    { args: ["vol-create-as", "default-pool", "x.img", "1X"], on: test },
    { args: ["vol-create-as", "default-pool", "x.img", "999999999999E", "--print-xml"], on: test },
    {
      args: ["vol-create-as", "default-pool", "x.img", " +1KB", "--allocation", "0", "--format", "qcow2", "--backing-vol", "tv.img", "--backing-vol-format", "raw", "--print-xml"],
      on: test,
    },
    // vol-create, vol-create-from, vol-clone
    { args: ["vol-create", "default-pool", "{dir}/made.xml"], on: test, after: [["vol-delete", "made.img", "--pool", "default-pool"]] },
    { args: ["vol-create", "default-pool", "{dir}/bad.xml"], on: test },
    { args: ["vol-create-from", "sv-run", "{dir}/made.xml", "base.img", "--inputpool", "sv-run"], on: qemu, after: [["vol-delete", "made.img", "--pool", "sv-run"]] },
    { args: ["vol-create-from", "default-pool", "{dir}/made.xml", "nope"], on: test },
    { args: ["vol-clone", "base.img", "copy.img", "--pool", "sv-run"], on: qemu, after: [["vol-delete", "copy.img", "--pool", "sv-run"]] },
    { args: ["vol-clone", "/default-pool/tv.img", "copy.img", "--print-xml"], on: test },
    { args: ["vol-clone", "tv.img", "tv.img", "--pool", "default-pool"], on: test },
    // vol-delete
    { args: ["vol-delete", "del.img", "--pool", "default-pool"], on: test, before: [["vol-create-as", "default-pool", "del.img", "1M"]] },
    { args: ["vol-delete", "nope"], on: test },
    { args: ["vol-delete", "base.img", "--pool", "sv-off"], on: qemu },
    // vol-dumpxml, vol-info
    { args: ["vol-dumpxml", "tv.img", "--pool", "default-pool"], on: test },
    { args: ["vol-dumpxml", "base.img", "--pool", "sv-run"], on: qemu, masks: [VOL_TIMES] },
    { args: ["vol-dumpxml", "tv.img", "--pool", "default-pool", "--xpath", "//capacity/text() | //format/@type"], on: test },
    { args: ["vol-dumpxml", "base.img", "--pool", "sv-run", "--wrap", "--xpath", "/volume/target/format"], on: qemu },
    { args: ["vol-info", "tv.img", "--pool", "default-pool"], on: test },
    { args: ["vol-info", "/default-pool/tv.img", "--bytes"], on: test },
    { args: ["vol-info", "base.img", "--pool", "sv-run", "--physical", "--bytes"], on: qemu },
    { args: ["vol-info", "tv.img"], on: test },
    // vol-key, vol-name, vol-path, vol-pool: which of name, key and path each reads.
    { args: ["vol-key", "tv.img", "--pool", "default-pool"], on: test },
    { args: ["vol-key", "base.img", "--pool", "sv-run"], on: qemu },
    { args: ["vol-name", "/default-pool/tv.img"], on: test },
    { args: ["vol-name", "tv.img"], on: test },
    { args: ["vol-path", "tv.img", "--pool", "default-pool"], on: test },
    { args: ["vol-path", "base.img", "--pool", "sv-off"], on: qemu },
    { args: ["vol-pool", "/default-pool/tv.img"], on: test },
    { args: ["vol-pool", "/default-pool/tv.img", "--uuid"], on: test },
    { args: ["vol-pool", "nope"], on: test },
    // vol-list (storage.ts)
    { args: ["vol-list", "default-pool", "--details"], on: test },
    { args: ["vol-list", "sv-run", "--details"], on: qemu },
    { args: ["vol-list", ""], on: test },
    // vol-resize
    { args: ["vol-resize", "base.img", "2M", "--pool", "sv-run"], on: qemu, after: [["vol-resize", "base.img", "1M", "--pool", "sv-run", "--shrink"]] },
    { args: ["vol-resize", "base.img", "-1M", "--pool", "sv-run"], on: qemu },
    { args: ["vol-resize", "tv.img", "1M", "--pool", "default-pool", "--delta"], on: test },
    // vol-wipe
    { args: ["vol-wipe", "base.img", "--pool", "sv-run"], on: qemu },
    { args: ["vol-wipe", "base.img", "--pool", "sv-run", "--algorithm", "bogus"], on: qemu },
    { args: ["vol-wipe", "tv.img", "--pool", "default-pool", "--algorithm", "nnsa"], on: test },
  ],
};

export const groups: readonly CaseGroup[] = [poolGroup, volGroup];
