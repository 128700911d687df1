// Differential cases of the saved-state XML commands (dom-save-edit.ts) and
// of migrate (dom-migrate.ts). A migration that succeeds needs a second
// daemon: test/cli/migrate.test.ts runs those; here are the paths that end
// before one is needed, or where the destination cannot be reached.

import type { CaseGroup, Mask } from "../case.js";

/** A fixed UUID, so that the minimal XML below can replace the saved image's (the daemon checks it is the same guest). */
const saved = (description: string): string => `<domain type='qemu'>
  <name>sv-img</name>
  <uuid>5e1f0a2b-7c3d-4e5f-8a9b-0c1d2e3f4a5b</uuid>
  <description>${description}</description>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
  </devices>
</domain>
`;

const managed = (description: string): string =>
  saved(description).replace("sv-img", "ms-img").replace("5e1f0a2b-7c3d-4e5f-8a9b-0c1d2e3f4a5b", "5e1f0a2b-7c3d-4e5f-8a9b-0c1d2e3f4a5c");

const running = `<domain type='qemu'>
  <name>mg-run</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
  </devices>
</domain>
`;

const test = ["test"] as const;
const qemu = ["qemu"] as const;

/** The group's fresh directory, named in messages: a new one each run. */
const dir: Mask = { pattern: /\/tmp\/[^ '\n]*virsh-diff-[^/ '\n]+/g, replace: "{dir}", why: "the group's files' directory is made anew for each run" };
/** The editor's temporary file: a new random name each run. */
const tempFile: Mask = { pattern: /\/tmp\/virsh[A-Za-z0-9]{6}\.xml/g, replace: "/tmp/virshXXXXXX.xml", why: "the editor's temporary file has a random name" };

/** Puts the saved image's XML back as it was before each side's run, and shows what the run left. */
const image = {
  before: [["save-image-define", "{dir}/sv.save", "{dir}/sv.xml"]],
  after: [["save-image-dumpxml", "{dir}/sv.save"]],
} as const;
const managedImage = {
  before: [["managedsave-define", "ms-img", "{dir}/ms.xml"]],
  after: [["managedsave-dumpxml", "ms-img"]],
} as const;

/** A destination no daemon listens on. */
const NOWHERE = "qemu+tcp://127.0.0.1:1/session";

export const groups: readonly CaseGroup[] = [
  {
    group: "Domain Management",
    commands: ["save-image-define", "save-image-edit", "managedsave-define", "managedsave-edit", "migrate"],
    files: {
      "sv.xml": saved("runs under TCG"),
      "sv-new.xml": saved("redefined"),
      "ms.xml": managed("runs under TCG"),
      "ms-new.xml": managed("redefined"),
      "mg-run.xml": running,
      "bad.xml": "<domain type='qemu'><name>other</name></domain>\n",
    },
    setup: {
      qemu: [
        ["define", "{dir}/sv.xml"],
        ["start", "sv-img"],
        ["save", "sv-img", "{dir}/sv.save"],
        ["define", "{dir}/ms.xml"],
        ["start", "ms-img"],
        ["managedsave", "ms-img"],
        ["define", "{dir}/mg-run.xml"],
        ["start", "mg-run"],
      ],
    },
    teardown: {
      qemu: [
        ["destroy", "mg-run"],
        ["undefine", "mg-run"],
        ["undefine", "sv-img", "--managed-save"],
        ["undefine", "ms-img", "--managed-save"],
      ],
    },
    cases: [
      // save-image-define: a new description, the state to restore in, refusals
      { args: ["save-image-define", "{dir}/sv.save", "{dir}/sv-new.xml"], on: qemu, masks: [dir], ...image },
      { args: ["save-image-define", "{dir}/sv.save", "{dir}/sv-new.xml", "--paused"], on: qemu, masks: [dir], ...image },
      { args: ["save-image-define", "{dir}/sv.save", "{dir}/bad.xml"], on: qemu, masks: [dir], ...image },
      { args: ["save-image-define", "{dir}/sv.save", "{dir}/none.xml"], on: qemu, masks: [dir] },
      { args: ["save-image-define", "{dir}/sv.save", "{dir}/sv-new.xml", "--running", "--paused"], on: qemu, masks: [dir] },
      { args: ["save-image-define", "/nonexistent-dir/t.save", "{dir}/sv-new.xml"], masks: [dir] },
      { args: ["save-image-define", "{dir}/sv.save"], on: test, masks: [dir] },
      // save-image-edit: editors that change nothing, change the description, break the XML, fail
      { args: ["save-image-edit", "{dir}/sv.save"], on: qemu, env: { EDITOR: "true" }, masks: [dir] },
      { args: ["save-image-edit", "{dir}/sv.save", "--running"], on: qemu, env: { EDITOR: "sed -i s/TCG/QEMU/" }, masks: [dir], ...image },
      { args: ["save-image-edit", "{dir}/sv.save"], on: qemu, env: { EDITOR: "sed -i s/memory.unit/bogus/" }, masks: [dir], ...image },
      { args: ["save-image-edit", "{dir}/sv.save"], on: qemu, env: { EDITOR: "false" }, masks: [dir, tempFile] },
      { args: ["save-image-edit", "{dir}/sv.save", "--running", "--paused"], on: qemu, env: { EDITOR: "true" }, masks: [dir] },
      { args: ["save-image-edit", "/nonexistent-dir/t.save"], env: { EDITOR: "true" } },
      // managedsave-define
      { args: ["managedsave-define", "ms-img", "{dir}/ms-new.xml"], on: qemu, masks: [dir], ...managedImage },
      { args: ["managedsave-define", "ms-img", "{dir}/ms-new.xml", "--running"], on: qemu, masks: [dir], ...managedImage },
      { args: ["managedsave-define", "ms-img", "{dir}/bad.xml"], on: qemu, masks: [dir], ...managedImage },
      { args: ["managedsave-define", "ms-img", "{dir}/none.xml"], on: qemu, masks: [dir] },
      { args: ["managedsave-define", "ms-img", "{dir}/ms-new.xml", "--running", "--paused"], on: qemu, masks: [dir] },
      { args: ["managedsave-define", "mg-run", "{dir}/ms-new.xml"], on: qemu, masks: [dir] },
      { args: ["managedsave-define", "nope", "{dir}/ms-new.xml"], masks: [dir] },
      { args: ["managedsave-define", "test", "{dir}/ms-new.xml"], on: test, masks: [dir] },
      // managedsave-edit
      { args: ["managedsave-edit", "ms-img"], on: qemu, env: { EDITOR: "true" } },
      { args: ["managedsave-edit", "ms-img", "--paused"], on: qemu, env: { EDITOR: "sed -i s/TCG/QEMU/" }, ...managedImage },
      { args: ["managedsave-edit", "ms-img"], on: qemu, env: { EDITOR: "sed -i s/memory.unit/bogus/" }, ...managedImage },
      { args: ["managedsave-edit", "ms-img"], on: qemu, env: { EDITOR: "false" }, masks: [tempFile] },
      { args: ["managedsave-edit", "mg-run"], on: qemu, env: { EDITOR: "true" } },
      { args: ["managedsave-edit", "ms-img", "--running", "--paused"], on: qemu, env: { EDITOR: "true" } },
      { args: ["managedsave-edit", "test"], on: test, env: { EDITOR: "true" } },
      { args: ["managedsave-edit", "nope"], env: { EDITOR: "true" } },
      // migrate: no such domain, a destination that cannot be reached, one that is not a URI
      { args: ["migrate", "nope", NOWHERE] },
      { args: ["migrate", "test", NOWHERE, "--live"], on: test },
      { args: ["migrate", "mg-run", NOWHERE, "--live", "--verbose"], on: qemu },
      { args: ["migrate", "mg-run", "bogus:///x"], on: qemu },
      { args: ["migrate", "mg-run", "", "--live"], on: qemu },
      { args: ["migrate", "mg-run"], on: qemu },
      // conflicting options, options that need another, checked before anything else
      { args: ["migrate", "mg-run", NOWHERE, "--live", "--offline"] },
      { args: ["migrate", "mg-run", NOWHERE, "--timeout", "5", "--timeout-suspend", "--timeout-postcopy", "--postcopy"] },
      { args: ["migrate", "mg-run", NOWHERE, "--postcopy-after-precopy"] },
      { args: ["migrate", "mg-run", NOWHERE, "--postcopy-resume"] },
      { args: ["migrate", "mg-run", NOWHERE, "--timeout-postcopy"] },
      { args: ["migrate", "mg-run", NOWHERE, "--persistent-xml", "{dir}/mg-run.xml"], masks: [dir] },
      { args: ["migrate", "mg-run", NOWHERE, "--tls-destination", "host"] },
      { args: ["migrate", "test", NOWHERE, "--timeout", "5"], on: test },
      { args: ["migrate", "test", NOWHERE, "--live", "--timeout-suspend"], on: test },
      { args: ["migrate", "test", NOWHERE, "--live", "--timeout", "-1"], on: test },
      { args: ["migrate", "test", NOWHERE, "--live", "--timeout", "x"], on: test },
      // what the source's library refuses (peer-to-peer and direct need no destination connection)
      { args: ["migrate", "test", NOWHERE, "--p2p"], on: test },
      { args: ["migrate", "test", NOWHERE, "--direct"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--copy-storage-all", "--copy-storage-inc"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--copy-storage-synchronous-writes"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--tunnelled", "--parallel"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--offline"], on: test },
      { args: ["migrate", "mg-run", NOWHERE, "--direct"], on: qemu },
      { args: ["migrate", "mg-run", "qemu+tcp://localhost:1/session", "--p2p"], on: qemu },
      { args: ["migrate", "mg-run", "qemu:///session", "--p2p", "--tunneled"], on: qemu },
      { args: ["migrate", "mg-run", NOWHERE, "--p2p", "--live", "--verbose"], on: qemu },
      { args: ["migrate", "mg-run", NOWHERE, "--p2p", "--offline", "--persistent"], on: qemu },
      { args: ["migrate", "mg-run", NOWHERE, "--p2p", "--copy-storage-all", "--copy-storage-inc"], on: qemu },
      { args: ["migrate", "mg-run", NOWHERE, "--p2p", "--live", "--postcopy", "--postcopy-after-precopy", "--timeout", "30", "--timeout-postcopy"], on: qemu },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--postcopy", "--postcopy-after-precopy"], on: test },
      // bad numbers and unreadable files, read once the source is found
      { args: ["migrate", "test", NOWHERE, "--p2p", "--bandwidth", "x"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--bandwidth", "-1"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--disks-port", "99999999999"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--comp-mt-level", "1.5"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--comp-xbzrle-cache", "big"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--parallel-connections", "two"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--postcopy-bandwidth", "1x"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--auto-converge-initial", "x"], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--migrateuri", ""], on: test },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--xml", "{dir}/none.xml"], on: test, masks: [dir] },
      { args: ["migrate", "test", NOWHERE, "--p2p", "--persistent", "--persistent-xml", "{dir}/none.xml"], on: test, masks: [dir] },
      { args: ["migrate", "mg-run", NOWHERE, "--p2p", "--bandwidth", "1", "--comp-methods", "xbzrle,mt", "--migrate-disks", "vda,vdb", "--dname", "x"], on: qemu },
    ],
  },
];
