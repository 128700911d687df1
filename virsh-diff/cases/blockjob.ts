// Differential cases of the block job commands (src/cli/virsh/dom-blockjob.ts,
// dom-blockcopy.ts): blockjob, blockpull, blockcommit, blockcopy, blockresize.
// The test driver has none of these calls (each fails with "not supported"),
// so there the cases check virsh's option handling before and around the
// call; on QEMU a running guest's qcow2 disk (made by the daemon's qemu-img
// through a dir pool over the group's directory) is pulled, committed,
// copied and resized for real.

import type { CaseGroup, Mask } from "../case.js";

const test = ["test"] as const;
const qemu = ["qemu"] as const;

/** The group's fresh directory, named in messages: a new one each run. */
const dir: Mask = { pattern: /\/tmp\/[^ '"\n]*virsh-diff-[^/ '"\n]+/g, replace: "{dir}", why: "the group's files' directory is made anew for each run" };

/**
 * --verbose's progress lines before the last: each is a poll of a job that
 * runs on its own, so how many there are and their percentages depend on
 * how far QEMU got between two polls. The last one ([100 %] at the end, or
 * the job's state when it was aborted) is kept where it is the same.
 */
const progress: Mask = {
  pattern: /(?:\r(?:Block Pull|Block Copy|Block commit): \[[ \d]{3} %\])*(\r(?:Block Pull|Block Copy|Block commit): \[100 %\])/g,
  replace: "$1",
  why: "the polls before the job's end see a percentage that depends on QEMU's pace",
};
/** An aborted job's progress lines, all of them. */
const aborted: Mask = {
  pattern: /(?:\r(?:Block Pull|Block Copy|Block commit): \[[ \d]{3} %\])+/g,
  replace: "\r<progress>",
  why: "a job aborted at its timeout stops at a percentage that depends on QEMU's pace",
};

/** The guest: a qcow2 disk over a raw backing file, both in the group's directory. */
const guest = `<domain type='qemu'>
  <name>bj-run</name>
  <uuid>6d1b3c1e-0b6a-4f43-9d6e-5b1c0e7a9b01</uuid>
  <memory unit='MiB'>32</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{dir}/top.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
`;

/** The guest's disk as the group starts it: top.qcow2 over base.raw (4 MiB of data, so that a job at 1 MiB/s lasts seconds). */
const newTop: readonly string[] = ["vol-create-as", "bj-pool", "top.qcow2", "4M", "--format", "qcow2", "--backing-vol", "{dir}/base.raw", "--backing-vol-format", "raw"];

/** Before a case that runs a job: the guest stopped, its disk made anew, started again . */
const reset: readonly (readonly string[])[] = [["destroy", "bj-run"], ["define", "{dir}/bj.xml"], ["vol-delete", "top.qcow2", "--pool", "bj-pool"], newTop, ["start", "bj-run"]];

/** What the guest's disk is after a job: its source and backing chain. */
const chain = ["dumpxml", "bj-run", "--xpath", "//disk/source|//disk/backingStore/source|//disk/backingStore/format"];

/** Files a job left in the directory, gone before the next side's run (the pool learns them by a refresh). */
const remove = (...names: string[]): (readonly string[])[] => [["pool-refresh", "bj-pool"], ...names.map((n) => ["vol-delete", n, "--pool", "bj-pool"])];

/** A snapshot chain on the guest: top.qcow2 <- s1.qcow2 <- s2.qcow2 (active). */
const snapshots: readonly (readonly string[])[] = [
  ...reset,
  ["snapshot-create-as", "bj-run", "s1", "--disk-only", "--no-metadata", "--diskspec", "vda,file={dir}/s1.qcow2"],
  ["snapshot-create-as", "bj-run", "s2", "--disk-only", "--no-metadata", "--diskspec", "vda,file={dir}/s2.qcow2"],
];

/** A copy in its mirroring phase, for blockjob to look at. */
const mirroring: readonly (readonly string[])[] = [...reset, ["blockcopy", "bj-run", "vda", "{dir}/copy.qcow2", "--wait", "--transient-job"]];

export const groups: readonly CaseGroup[] = [
  {
    group: "Domain Management",
    commands: ["blockjob", "blockpull", "blockcommit", "blockcopy", "blockresize"],
    files: {
      "base.raw": "base data\n".repeat(419431).slice(0, 4 * 1024 * 1024),
      "bj.xml": guest,
      "dest.xml": "<disk type='file'>\n  <source file='{dir}/copy.qcow2'/>\n  <driver type='qcow2'/>\n</disk>\n",
      "bad.xml": "<disk type='file'>\n",
    },
    setup: {
      qemu: [
        ["pool-create-as", "bj-pool", "dir", "--target", "{dir}"],
        newTop,
        ["define", "{dir}/bj.xml"],
        ["start", "bj-run"],
      ],
    },
    teardown: {
      qemu: [["destroy", "bj-run"], ["undefine", "bj-run"], ["pool-destroy", "bj-pool"]],
    },
    cases: [
      // ---- the test driver: no block jobs there; options read before and around the call
      { args: ["blockjob", "test", "vda"], on: test },
      { args: ["blockjob", "test", "vda", "--info"], on: test },
      { args: ["blockjob", "test", "vda", "--raw"], on: test },
      { args: ["blockjob", "test", "vda", "--bytes"], on: test },
      { args: ["blockjob", "test", "vda", "--abort"], on: test },
      { args: ["blockjob", "test", "vda", "--pivot"], on: test },
      { args: ["blockjob", "test", "vda", "--async"], on: test },
      { args: ["blockjob", "test", "vda", "--bandwidth", "10"], on: test },
      { args: ["blockjob", "test", "vda", "--bandwidth", "1x"], on: test },
      { args: ["blockjob", "test", "vda", "--raw", "--abort"], on: test },
      { args: ["blockjob", "test", "vda", "--raw", "--pivot"], on: test },
      { args: ["blockjob", "test", "vda", "--raw", "--bandwidth", "5"], on: test },
      { args: ["blockjob", "test", "vda", "--info", "--async"], on: test },
      { args: ["blockjob", "test", "vda", "--info", "--bandwidth", "5"], on: test },
      { args: ["blockjob", "test", "vda", "--bytes", "--abort"], on: test },
      { args: ["blockjob", "test", "vda", "--bytes", "--async"], on: test },
      { args: ["blockjob", "nosuch", "vda"], on: test },
      { args: ["blockjob", "test", ""], on: test },
      { args: ["blockjob", "test"], on: test },
      { args: ["blockpull", "test", "vda"], on: test },
      { args: ["blockpull", "test", "vda", "--wait", "--verbose", "--timeout", "5"], on: test },
      { args: ["blockpull", "test", "vda", "--base", "/x"], on: test },
      { args: ["blockpull", "test", "vda", "--keep-relative", "--bytes", "--bandwidth", "1M"], on: test },
      { args: ["blockpull", "test", "vda", "--verbose"], on: test },
      { args: ["blockpull", "test", "vda", "--async"], on: test },
      { args: ["blockpull", "test", "vda", "--bandwidth", "1x"], on: test },
      { args: ["blockpull", "test", "vda", "--bandwidth", "-1x"], on: test },
      { args: ["blockpull", "test", "vda", "--bandwidth", "99999999999999999999999"], on: test },
      { args: ["blockpull", "test", "vda", "--bandwidth", "99999999999999999999E"], on: test },
      { args: ["blockpull", "test", "vda", "--bandwidth", "-1"], on: test },
      { args: ["blockpull", "test", "vda", "--timeout", "0", "--wait"], on: test },
      { args: ["blockpull", "test", "vda", "--timeout", "+0", "--wait"], on: test },
      { args: ["blockpull", "test", "vda", "--timeout", "9999999", "--wait"], on: test },
      { args: ["blockpull", "test", "vda", "--timeout", "-1", "--wait"], on: test },
      { args: ["blockpull", "test", "vda", "--base", ""], on: test },
      { args: ["blockpull", "nosuch", "vda"], on: test },
      { args: ["blockpull", "nosuch", "vda", "--bandwidth", "x"], on: test },
      { args: ["blockcommit", "test", "vda"], on: test },
      { args: ["blockcommit", "test", "vda", "--active", "--pivot", "--timeout", "3", "--verbose", "--async"], on: test },
      { args: ["blockcommit", "test", "vda", "--shallow", "--delete", "--keep-relative", "--bytes", "--bandwidth", "1k", "--base", "/b", "--top", "/t"], on: test },
      { args: ["blockcommit", "test", "vda", "--pivot", "--keep-overlay"], on: test },
      { args: ["blockcommit", "test", "vda", "--verbose"], on: test },
      { args: ["blockcommit", "test", "vda", "--async"], on: test },
      { args: ["blockcommit", "test", "vda", "--top", ""], on: test },
      { args: ["blockcommit", "nosuch", "vda"], on: test },
      { args: ["blockcopy", "test", "vda", "/tmp/x"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/tmp/x", "--raw", "--blockdev", "--bytes", "--bandwidth", "1"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/tmp/x", "--format", "qcow2", "--granularity", "512", "--buf-size", "1024", "--bandwidth", "2"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/tmp/x", "--transient-job", "--synchronous-writes", "--wait", "--verbose"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/tmp/x", "--print-xml"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/tmp/<a&'b\">", "--blockdev", "--format", "qcow2", "--print-xml"], on: test },
      { args: ["blockcopy", "test", "vda", "--xml", "{dir}/dest.xml", "--print-xml"], on: test, masks: [dir] },
      { args: ["blockcopy", "test", "vda", "--xml", "{dir}/none.xml"], on: test, masks: [dir] },
      { args: ["blockcopy", "test", "vda", "--dest", "/tmp/x", "--granularity", "1", "--bandwidth", "99999999999999"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/tmp/x", "--granularity", "-1"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/tmp/x", "--buf-size", "x"], on: test },
      { args: ["blockcopy", "test", "vda"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/a", "--xml", "/b"], on: test },
      { args: ["blockcopy", "test", "vda", "--format", "raw", "--xml", "/b"], on: test },
      { args: ["blockcopy", "test", "vda", "--blockdev", "--xml", "/b"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/a", "--pivot", "--finish"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/a", "--verbose"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/a", "--async"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", "/a", "--raw", "--format", "raw"], on: test },
      { args: ["blockcopy", "test", "vda", "--dest", ""], on: test },
      { args: ["blockcopy", "nosuch", "vda", "--dest", "/a", "--print-xml"], on: test },
      { args: ["blockresize", "test", "vda", "10M"], on: test },
      { args: ["blockresize", "test", "vda", "1025b"], on: test },
      { args: ["blockresize", "test", "vda", "--size", "1x"], on: test },
      { args: ["blockresize", "test", "vda", "-1"], on: test },
      { args: ["blockresize", "test", "vda", "99999999999999999999"], on: test },
      { args: ["blockresize", "test", "vda"], on: test },
      { args: ["blockresize", "nosuch", "vda", "1"], on: test },

      // ---- QEMU: a disk with no job; errors that change nothing
      { args: ["blockjob", "bj-run", "vda"], on: qemu },
      { args: ["blockjob", "bj-run", "vda", "--raw"], on: qemu },
      { args: ["blockjob", "bj-run", "vda", "--bytes"], on: qemu },
      { args: ["blockjob", "bj-run", "vda", "--abort"], on: qemu },
      { args: ["blockjob", "bj-run", "vda", "--bandwidth", "5"], on: qemu },
      { args: ["blockjob", "bj-run", "vdz"], on: qemu },
      { args: ["blockpull", "bj-run", "vdz", "--wait"], on: qemu },
      { args: ["blockpull", "bj-run", "vda", "--base", "/nonexistent"], on: qemu },
      { args: ["blockcommit", "bj-run", "vda"], on: qemu },
      { args: ["blockcommit", "bj-run", "vda", "--top", "/nonexistent", "--wait"], on: qemu },
      { args: ["blockcopy", "bj-run", "vda", "{dir}/old.qcow2", "--wait"], on: qemu, masks: [dir] },
      { args: ["blockcopy", "bj-run", "vda", "{dir}/g.qcow2", "--granularity", "3", "--transient-job"], on: qemu, masks: [dir] },
      { args: ["blockcopy", "bj-run", "vda", "--xml", "{dir}/bad.xml", "--transient-job"], on: qemu, masks: [dir] },
      { args: ["blockresize", "bj-run", "vdz", "1M"], on: qemu },

      // ---- QEMU: blockpull
      { args: ["blockpull", "bj-run", "vda", "--wait", "--verbose"], on: qemu, before: reset, after: [chain], masks: [dir, progress] },
      { args: ["blockpull", "bj-run", "vda", "--wait"], on: qemu, before: reset, after: [chain], masks: [dir] },
      { args: ["blockpull", "bj-run", "vda", "--bandwidth", "1"], on: qemu, before: reset, after: [["blockjob", "bj-run", "vda", "--abort"]] },
      { args: ["blockpull", "bj-run", "vda", "--bandwidth", "1048576", "--bytes", "--wait", "--verbose", "--timeout", "1"], on: qemu, before: reset, after: [chain], masks: [dir, aborted] },
      { args: ["blockpull", "bj-run", "vda", "--bandwidth", "1M", "--wait", "--async", "--timeout", "1"], on: qemu, before: reset },
      { args: ["blockpull", "bj-run", "vda", "--base", "{dir}/base.raw", "--wait", "--keep-relative"], on: qemu, before: reset, after: [chain], masks: [dir] },

      // ---- QEMU: blockcommit of a snapshot chain
      { args: ["blockcommit", "bj-run", "vda", "--top", "{dir}/s1.qcow2", "--wait", "--verbose"], on: qemu, before: snapshots, after: [chain, ...remove("s1.qcow2", "s2.qcow2")], masks: [dir, progress] },
      { args: ["blockcommit", "bj-run", "vda", "--top", "{dir}/s1.qcow2"], on: qemu, before: snapshots, after: [["blockjob", "bj-run", "vda", "--abort"], ...remove("s1.qcow2", "s2.qcow2")], masks: [dir] },
      { args: ["blockcommit", "bj-run", "vda", "--active", "--pivot", "--verbose"], on: qemu, before: snapshots, after: [chain, ...remove("s1.qcow2", "s2.qcow2")], masks: [dir, progress] },
      { args: ["blockcommit", "bj-run", "vda", "--shallow", "--active", "--wait"], on: qemu, before: snapshots, after: [["blockjob", "bj-run", "vda", "--raw"], ["blockjob", "bj-run", "vda", "--abort"], chain, ...remove("s1.qcow2", "s2.qcow2")], masks: [dir] },
      { args: ["blockcommit", "bj-run", "vda", "--shallow", "--keep-overlay"], on: qemu, before: snapshots, after: [chain, ...remove("s1.qcow2", "s2.qcow2")], masks: [dir] },
      { args: ["blockcommit", "bj-run", "vda", "--active", "--shallow"], on: qemu, before: snapshots, after: [["blockjob", "bj-run", "vda", "--abort"], ...remove("s1.qcow2", "s2.qcow2")], masks: [dir] },

      // ---- QEMU: blockcopy, and blockjob on the copy in its mirroring phase
      { args: ["blockcopy", "bj-run", "vda", "{dir}/copy.qcow2", "--wait", "--verbose", "--transient-job"], on: qemu, before: reset, after: [["blockjob", "bj-run", "vda", "--abort"], ...remove("copy.qcow2")], masks: [dir, progress] },
      { args: ["blockcopy", "bj-run", "vda", "--dest", "{dir}/copy.qcow2", "--format", "qcow2", "--wait", "--pivot", "--verbose", "--transient-job"], on: qemu, before: reset, after: [chain, ...remove("copy.qcow2")], masks: [dir, progress] },
      { args: ["blockcopy", "bj-run", "vda", "--dest", "{dir}/copy.qcow2", "--shallow", "--finish", "--transient-job", "--granularity", "65536", "--buf-size", "1048576", "--synchronous-writes"], on: qemu, before: reset, after: [chain, ...remove("copy.qcow2")], masks: [dir] },
      { args: ["blockcopy", "bj-run", "vda", "--xml", "{dir}/dest.xml", "--pivot", "--transient-job", "--reuse-external"], on: qemu, before: [...reset, ["vol-create-as", "bj-pool", "copy.qcow2", "4M", "--format", "qcow2"]], after: [chain, ...remove("copy.qcow2")], masks: [dir] },
      { args: ["blockcopy", "bj-run", "vda", "{dir}/copy.qcow2", "--transient-job", "--bandwidth", "1"], on: qemu, before: reset, after: [["blockjob", "bj-run", "vda", "--abort"], ...remove("copy.qcow2")], masks: [dir] },
      { args: ["blockcopy", "bj-run", "vda", "{dir}/copy.qcow2", "--transient-job", "--bandwidth", "1", "--timeout", "1", "--verbose"], on: qemu, before: reset, after: [...remove("copy.qcow2")], masks: [dir, aborted] },
      { args: ["blockjob", "bj-run", "vda"], on: qemu, before: mirroring, after: [["blockjob", "bj-run", "vda", "--abort"], ...remove("copy.qcow2")] },
      { args: ["blockjob", "bj-run", "vda", "--info", "--raw"], on: qemu, before: mirroring, after: [["blockjob", "bj-run", "vda", "--abort"], ...remove("copy.qcow2")] },
      { args: ["blockjob", "bj-run", "vda", "--bandwidth", "5"], on: qemu, before: mirroring, after: [["blockjob", "bj-run", "vda", "--raw"], ["blockjob", "bj-run", "vda", "--abort"], ...remove("copy.qcow2")] },
      { args: ["blockjob", "bj-run", "vda", "--bytes"], on: qemu, before: [...mirroring, ["blockjob", "bj-run", "vda", "--bandwidth", "1000", "--bytes"]], after: [["blockjob", "bj-run", "vda", "--abort"], ...remove("copy.qcow2")] },
      { args: ["blockjob", "bj-run", "vda"], on: qemu, before: [...mirroring, ["blockjob", "bj-run", "vda", "--bandwidth", "3"]], after: [["blockjob", "bj-run", "vda", "--abort"], ...remove("copy.qcow2")] },
      { args: ["blockjob", "bj-run", "vda", "--pivot"], on: qemu, before: mirroring, after: [chain, ...remove("copy.qcow2")], masks: [dir] },
      { args: ["blockjob", "bj-run", "vda", "--abort", "--async"], on: qemu, before: mirroring, after: [...remove("copy.qcow2")] },
      { args: ["blockjob", "bj-run", "vda", "--abort"], on: qemu, before: mirroring, after: [["blockjob", "bj-run", "vda"], ...remove("copy.qcow2")] },

      // ---- QEMU: blockresize
      { args: ["blockresize", "bj-run", "vda", "8M"], on: qemu, before: reset, after: [["domblkinfo", "bj-run", "vda"]] },
      { args: ["blockresize", "bj-run", "vda", "--size", "8389120b"], on: qemu, before: reset, after: [["domblkinfo", "bj-run", "vda"]] },
      { args: ["blockresize", "bj-run", "vda", "1M"], on: qemu, before: reset, after: [["domblkinfo", "bj-run", "vda"]] },
    ],
  },
];
