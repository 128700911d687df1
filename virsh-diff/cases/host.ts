// Differential cases of src/cli/virsh/table-host.ts's commands.

import type { CaseGroup, Mask } from "../case.js";

/** The host's free memory and page counts move between the two runs. */
const FREE_KIB: Mask = { pattern: /^( *\w+:) +\d+ KiB$/gm, replace: "$1 N KiB", why: "free memory is the live host's, read at each run" };
const FREE_PAGES: Mask = { pattern: /^(\d+KiB): \d+$/gm, replace: "$1: N", why: "free page counts are the live host's, read at each run" };
const MEMSTATS: Mask = { pattern: /^(\w+ *): +\d+ KiB$/gm, replace: "$1: N KiB", why: "the live host's memory figures move between runs" };

const host: CaseGroup = {
  group: "Host and Hypervisor",
  commands: [
    "allocpages",
    "cpu-models",
    "domcapabilities",
    "freecell",
    "freepages",
    "maxvcpus",
    "node-memory-tune",
    "nodecpumap",
    "nodecpustats",
    "nodememstats",
    "nodesevinfo",
    "nodesuspend",
    "sysinfo",
  ],
  cases: [
    { args: ["sysinfo"] },
    { args: ["maxvcpus"] },
    { args: ["maxvcpus", "--type", "foo"], on: ["qemu"] },
    { args: ["domcapabilities"], on: ["test"] },
    { args: ["domcapabilities", "--virttype", "foo"], on: ["qemu"] },
    { args: ["cpu-models", "x86_64"], on: ["test"] },
    { args: ["cpu-models", "foo"] },
    { args: ["nodecpumap"] },
    { args: ["nodecpumap", "--pretty"] },
    { args: ["nodecpustats"], on: ["test"] },
    // The test driver's figures never move: both rounds alike, 0/0 printed as glibc prints it.
    { args: ["nodecpustats", "--percent"], on: ["test"] },
    { args: ["nodecpustats", "--cpu", "-5"], on: ["qemu"] },
    { args: ["nodecpustats", "--cpu", "x"], on: ["test"] },
    { args: ["nodememstats"], on: ["qemu"], masks: [MEMSTATS] },
    { args: ["nodememstats", "--cell", "5"] },
    { args: ["nodesevinfo"] },
    // Never a suspend that could succeed: a bad target or duration, or the test driver, which cannot.
    { args: ["nodesuspend", "mem", "100"], on: ["test"] },
    { args: ["nodesuspend", "foo", "100"] },
    { args: ["nodesuspend", "mem", "-1"], on: ["qemu"] },
    { args: ["freecell"], on: ["test"] },
    { args: ["freecell", "--all"], masks: [FREE_KIB] },
    { args: ["freecell", "--cellno", "5"] },
    { args: ["freecell", "--all", "--cellno", "0"], on: ["test"] },
    { args: ["freepages", "--all"], on: ["qemu"], masks: [FREE_PAGES] },
    { args: ["freepages", "--pagesize", "2M", "--cellno", "0"], on: ["qemu"], masks: [FREE_PAGES] },
    { args: ["freepages", "--pagesize", "4x", "--cellno", "0"], on: ["qemu"] },
    { args: ["freepages", "--cellno", "0"], on: ["test"] },
    { args: ["allocpages", "4", "0", "--cellno", "7"], on: ["qemu"] },
    { args: ["allocpages", "4", "x"], on: ["test"] },
    { args: ["node-memory-tune"] },
    { args: ["node-memory-tune", "--shm-pages-to-scan", "x"], on: ["qemu"] },
  ],
};

const nodedev: CaseGroup = {
  group: "Node Device",
  commands: [
    "nodedev-autostart",
    "nodedev-create",
    "nodedev-define",
    "nodedev-destroy",
    "nodedev-detach",
    "nodedev-dumpxml",
    "nodedev-info",
    "nodedev-list",
    "nodedev-reattach",
    "nodedev-reset",
    "nodedev-start",
    "nodedev-undefine",
  ],
  files: { "bad.xml": "<device\n" },
  cases: [
    { args: ["nodedev-list"] },
    { args: ["nodedev-list", "--tree"], on: ["qemu"] },
    { args: ["nodedev-list", "--cap", "net,pci"], on: ["qemu"] },
    { args: ["nodedev-list", "--cap", "foo"], on: ["qemu"] },
    { args: ["nodedev-list", "--tree", "--cap", "net"], on: ["qemu"] },
    { args: ["nodedev-dumpxml", "computer"] },
    { args: ["nodedev-dumpxml", "nope"], on: ["test"] },
    { args: ["nodedev-dumpxml", "1,2"], on: ["test"] },
    { args: ["nodedev-info", "computer"] },
    { args: ["nodedev-info", "nope"], on: ["qemu"] },
    { args: ["nodedev-create", "{dir}/bad.xml"], on: ["test"] },
    { args: ["nodedev-create", "{dir}/missing.xml"], on: ["test"] },
    { args: ["nodedev-define", "{dir}/bad.xml"], on: ["qemu"] },
    { args: ["nodedev-destroy", "nope"], on: ["test"] },
    { args: ["nodedev-undefine", "computer"] },
    { args: ["nodedev-start", "computer"], on: ["test"] },
    { args: ["nodedev-autostart", "nope"], on: ["qemu"] },
    { args: ["nodedev-autostart", "--disable", "computer"], on: ["test"] },
    // Failure paths only: no host device is ever detached, reattached or reset.
    { args: ["nodedev-detach", "nope"] },
    { args: ["nodedev-dettach", "nope"], on: ["test"] },
    { args: ["nodedev-reattach", "nope"], on: ["qemu"] },
    { args: ["nodedev-reset", "nope"], on: ["test"] },
  ],
};

const iface: CaseGroup = {
  group: "Interface",
  commands: [
    "iface-begin",
    "iface-commit",
    "iface-define",
    "iface-destroy",
    "iface-dumpxml",
    "iface-edit",
    "iface-list",
    "iface-mac",
    "iface-name",
    "iface-rollback",
    "iface-start",
    "iface-undefine",
  ],
  files: {
    "eth9.xml": "<interface type='ethernet' name='eth9'>\n  <mac address='aa:bb:cc:dd:ee:09'/>\n</interface>\n",
    "bad.xml": "<interface\n",
  },
  cases: [
    { args: ["iface-list"] },
    { args: ["iface-list", "--all"] },
    { args: ["iface-list", "--all", "--inactive"], on: ["test"] },
    { args: ["iface-name", "aa:bb:cc:dd:ee:ff"], on: ["test"] },
    { args: ["iface-name", "lo"], on: ["qemu"] },
    { args: ["iface-mac", "lo"], on: ["qemu"] },
    { args: ["iface-mac", "nope"], on: ["test"] },
    { args: ["iface-dumpxml", "eth1"], on: ["test"] },
    { args: ["iface-dumpxml", "lo", "--inactive"], on: ["qemu"] },
    { args: ["iface-dumpxml", "00:00:00:00:00:01"], on: ["test"] },
    // Interfaces change only on the test driver; the host's are never touched.
    {
      args: ["iface-define", "{dir}/eth9.xml"],
      on: ["test"],
      after: [["iface-undefine", "eth9"]],
    },
    { args: ["iface-define", "{dir}/bad.xml"], on: ["test"] },
    { args: ["iface-undefine", "nope"] },
    { args: ["iface-start", "eth1"], on: ["test"] },
    // virsh 9.0 exits 1 after a successful iface-destroy.
    { args: ["iface-destroy", "eth1"], on: ["test"], after: [["iface-start", "eth1"]] },
    { args: ["iface-destroy", "nope"], on: ["qemu"] },
    { args: ["iface-edit", "nope"] },
    // The test driver refuses the inactive XML the edit starts from, before any editor runs.
    { args: ["iface-edit", "eth1"], on: ["test"] },
    { args: ["iface-begin"], on: ["test"], after: [["iface-rollback"]] },
    { args: ["iface-commit"], on: ["test"] },
    { args: ["iface-rollback"], on: ["test"] },
  ],
};

export const groups: readonly CaseGroup[] = [host, nodedev, iface];
