// Differential cases of src/cli/virsh/table-domain.ts's commands.

import type { CaseGroup, Mask } from "../case.js";

/**
 * A small QEMU guest under TCG: a serial console on a pty and VNC on a
 * socket libvirt names (a TCP port could be taken by another daemon's
 * guest between libvirt's choice and QEMU's bind), so the display
 * commands have something to read.
 */
const guest = (name: string, title: string): string => `<domain type='qemu'>
  <name>${name}</name>
  <title>${title}</title>
  <description>runs under TCG</description>
  <memory unit='MiB'>64</memory>
  <currentMemory unit='MiB'>64</currentMemory>
  <vcpu placement='static' current='1'>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <console type='pty'/>
    <graphics type='vnc'><listen type='socket'/></graphics>
  </devices>
</domain>
`;

const test = ["test"] as const;

/** The editor's temporary file: a new random name each run. */
const tempFile: Mask = { pattern: /\/tmp\/virsh[A-Za-z0-9]{6}\.xml/g, replace: "/tmp/virshXXXXXX.xml", why: "the editor's temporary file has a random name" };

/** A vCPU's time and the host CPU it last ran on: read live, they move between the two runs. */
const vcpuTimes: Mask = { pattern: /^(CPU time: +)\d+\.\ds$/gm, replace: "$1N.Ns", why: "vCPU time is read live (the test driver's is the wall clock)" };
const vcpuHost: Mask = { pattern: /^(CPU: +)\d+$/gm, replace: "$1N", why: "the host CPU a running vCPU was last seen on is the host scheduler's choice" };

/** The group's fresh directory, named in messages: a new one each run. */
const dir: Mask = { pattern: /\/tmp\/[^ '\n]*virsh-diff-[^/ '\n]+/g, replace: "{dir}", why: "the group's files' directory is made anew for each run" };

const qemu = ["qemu"] as const;

export const groups: readonly CaseGroup[] = [
  {
    group: "Domain Management",
    commands: ["create", "autostart", "domid", "domname", "domuuid", "domhostname", "domdisplay", "vncdisplay", "ttyconsole", "edit", "desc", "metadata", "setmem", "setmaxmem", "vcpucount", "setvcpus",
      "save", "restore", "save-image-dumpxml", "managedsave", "managedsave-remove", "managedsave-dumpxml",
      "domfsfreeze", "domfsthaw", "domfsinfo", "domfstrim", "set-user-password", "guestvcpus", "inject-nmi", "send-key", "send-process-signal",
      "dompmsuspend", "dompmwakeup", "guest-agent-timeout", "domrename",
      "domjobinfo", "domjobabort", "dump", "migrate-setmaxdowntime", "migrate-getmaxdowntime", "migrate-compcache", "migrate-setspeed", "migrate-getspeed", "migrate-postcopy",
      "schedinfo", "memtune", "blkiotune", "numatune", "perf", "set-lifecycle-action", "attach-device", "detach-device", "detach-device-alias", "update-device",
      "iothreadinfo", "iothreadadd", "iothreaddel", "iothreadpin", "vcpuinfo", "vcpupin", "emulatorpin"],
    files: {
      "dm-run.xml": guest("dm-run", "dm running guest"),
      "dm-off.xml": guest("dm-off", "dm shut-off guest"),
      "dm-tmp.xml": guest("dm-tmp", "dm transient guest"),
      "t2.xml": "<domain type='test'><name>t2</name><memory>8192</memory><os><type>hvm</type></os></domain>\n",
      "cdrom.xml": "<disk type='file' device='cdrom'>\n  <driver name='qemu' type='raw'/>\n  <target dev='hdc' bus='ide'/>\n  <readonly/>\n</disk>\n",
    },
    setup: {
      qemu: [
        ["define", "{dir}/dm-run.xml"],
        ["define", "{dir}/dm-off.xml"],
        ["start", "dm-run"],
      ],
    },
    teardown: {
      qemu: [
        ["destroy", "dm-run"],
        ["undefine", "dm-run", "--managed-save", "--snapshots-metadata"],
        ["undefine", "dm-off", "--managed-save", "--snapshots-metadata"],
      ],
    },
    cases: [
      // create
      { args: ["create", "{dir}/t2.xml"], on: test, masks: [dir], after: [["destroy", "t2"]] },
      { args: ["create", "{dir}/t2.xml", "--paused", "--autodestroy"], on: test, masks: [dir] },
      { args: ["create", "{dir}/none.xml"], on: test, masks: [dir] },
      { args: ["create", "{dir}/dm-off.xml"], on: qemu, masks: [dir] },
      { args: ["create", "{dir}/dm-tmp.xml", "--paused"], on: qemu, masks: [dir], after: [["destroy", "dm-tmp"]] },
      // autostart
      { args: ["autostart", "test"], on: test, after: [["autostart", "--disable", "test"]] },
      { args: ["autostart", "--disable", "dm-off"], on: qemu },
      { args: ["autostart", "nope"], on: test },
      // domid, domname, domuuid: each reads the words the other two take, and no more.
      { args: ["domid", "test"], on: test },
      { args: ["domid", "dm-off"], on: qemu },
      { args: ["domid", "1"], on: test },
      { args: ["domname", "1"], on: test },
      { args: ["domname", "6695eb01-f6a4-8304-79aa-97f2502e193f"], on: test },
      { args: ["domname", "test"], on: test },
      { args: ["domuuid", "1"], on: test },
      { args: ["domuuid", "nope"], on: test },
      // domhostname
      { args: ["domhostname", "test"], on: test },
      { args: ["domhostname", "test", "--source", "lease"], on: test },
      { args: ["domhostname", "test", "--source", "bogus"], on: test },
      { args: ["domhostname", "dm-run"], on: qemu },
      // domdisplay, vncdisplay, ttyconsole
      { args: ["domdisplay", "dm-run"], on: qemu },
      { args: ["domdisplay", "dm-run", "--all", "--include-password"], on: qemu },
      { args: ["domdisplay", "dm-run", "--type", "spice"], on: qemu },
      { args: ["domdisplay", "test", "--all", "--type", "vnc"], on: test },
      { args: ["domdisplay", "dm-off"], on: qemu },
      { args: ["vncdisplay", "dm-run"], on: qemu },
      { args: ["vncdisplay", "test"], on: test },
      { args: ["ttyconsole", "dm-run"], on: qemu },
      { args: ["ttyconsole", "test"], on: test },
      // edit, with editors that change nothing, change the title, break the XML, or fail
      { args: ["edit", "nope"], on: test },
      { args: ["edit", "dm-off"], on: qemu, env: { EDITOR: "true" } },
      { args: ["edit", "dm-off"], on: qemu, env: { EDITOR: "sed -i s/shut-off/edited/" }, after: [["desc", "dm-off", "--title", "--config", "dm shut-off guest"]] },
      { args: ["edit", "dm-off"], on: qemu, env: { EDITOR: "sed -i s/memory.unit/bogus/" } },
      { args: ["edit", "dm-off"], on: qemu, env: { EDITOR: "false" }, masks: [tempFile] },
      { args: ["edit", "test"], on: test, env: { EDITOR: "no-such-editor" } },
      // desc
      { args: ["desc", "test"], on: test },
      { args: ["desc", "test", "--title"], on: test },
      { args: ["desc", "dm-off", "--config"], on: qemu },
      { args: ["desc", "dm-off", "--config", "a", "new", "description"], on: qemu, after: [["desc", "dm-off", "--config", "runs under TCG"]] },
      { args: ["desc", "dm-off", "--title", "--config", "another title"], on: qemu, after: [["desc", "dm-off", "--title", "--config", "dm shut-off guest"]] },
      { args: ["desc", "test", "--live", "--current"], on: test },
      { args: ["desc", "dm-off", "--config", "--edit"], on: qemu, env: { EDITOR: "sed -i s/TCG/QEMU/" }, after: [["desc", "dm-off", "--config", "runs under TCG"]] },
      { args: ["desc", "test", "--title", "--edit"], on: test, env: { EDITOR: "true" } },
      // metadata
      { args: ["metadata", "test", "http://example.org/dm"], on: test },
      { args: ["metadata", "test", "http://example.org/dm", "--key", "dm", "--set", "<b>v</b>"], on: test, after: [["metadata", "test", "http://example.org/dm", "--remove"]] },
      { args: ["metadata", "test", "http://example.org/dm", "--set", "<b/>"], on: test },
      { args: ["metadata", "test", ""], on: test },
      { args: ["metadata", "test", "http://example.org/dm", "--edit", "--key", "dm"], on: test, env: { EDITOR: "true" } },
      {
        args: ["metadata", "dm-off", "http://example.org/dm"],
        on: qemu,
        before: [["metadata", "dm-off", "http://example.org/dm", "--key", "dm", "--set", "<b>v</b>"]],
        after: [["metadata", "dm-off", "http://example.org/dm", "--remove"]],
      },
      // setmem, setmaxmem: sizes read with their units, libvirt's own checks, the driver refusing.
      { args: ["setmem", "test", "4096"], on: test, after: [["setmem", "test", "2097152"]] },
      { args: ["setmem", "test", "1x"], on: test },
      { args: ["setmem", "test", "0"], on: test },
      { args: ["setmem", "dm-off", "32M"], on: qemu },
      { args: ["setmem", "dm-off", "--kilobytes", "32M", "--config"], on: qemu, after: [["setmem", "dm-off", "64M", "--config"]] },
      { args: ["setmaxmem", "test", "1G"], on: test },
      { args: ["setmaxmem", "test", "1G", "--config"], on: test, after: [["setmaxmem", "test", "8388608", "--config"]] },
      { args: ["setmaxmem", "test", "18014398509481984"], on: test },
      // vcpucount, setvcpus
      { args: ["vcpucount", "test"], on: test },
      { args: ["vcpucount", "dm-off"], on: qemu },
      { args: ["vcpucount", "dm-run", "--maximum", "--live"], on: qemu },
      { args: ["vcpucount", "test", "--guest"], on: test },
      { args: ["vcpucount", "test", "--active", "--maximum"], on: test },
      { args: ["setvcpus", "test", "1"], on: test, after: [["setvcpus", "test", "2"]] },
      { args: ["setvcpus", "test", "0"], on: test },
      { args: ["setvcpus", "test", "3", "--maximum"], on: test },
      { args: ["setvcpus", "dm-off", "2", "--config"], on: qemu, after: [["setvcpus", "dm-off", "1", "--config"]] },
      // save, restore, save-image-dumpxml: where the daemon cannot write, a guest not running, a missing --xml file, no image.
      { args: ["save", "test", "/nonexistent-dir/t.save"], on: test },
      { args: ["save", "dm-off", "dm-off.save"], on: qemu },
      { args: ["save", "test", "/nonexistent-dir/t.save", "--xml", "{dir}/none.xml"], on: test, masks: [dir] },
      { args: ["save", "test", "/nonexistent-dir/t.save", "--running"], on: test },
      { args: ["restore", "/nonexistent-dir/t.save"], on: test },
      { args: ["restore", "{dir}/dm-off.xml", "--paused"], on: qemu, masks: [dir] },
      { args: ["save-image-dumpxml", "{dir}/dm-off.xml"], on: qemu, masks: [dir] },
      { args: ["save-image-dumpxml", "/nonexistent-dir/t.save"], on: test },
      // managedsave and its image
      { args: ["managedsave", "test", "--verbose"], on: test, after: [["start", "test"]] },
      { args: ["managedsave", "dm-run"], on: qemu, after: [["start", "dm-run"]] },
      { args: ["managedsave", "dm-off"], on: qemu },
      { args: ["managedsave-remove", "test"], on: test },
      { args: ["managedsave-remove", "dm-off"], on: qemu },
      { args: ["managedsave-dumpxml", "test"], on: test },
      { args: ["managedsave-dumpxml", "dm-off"], on: qemu },
      { args: ["save", "test", "/nonexistent-dir/t.save", "--running", "--paused"], on: test },
      // the guest agent's commands: the test driver answers some, QEMU without an agent refuses
      { args: ["domfsinfo", "test"], on: test },
      { args: ["domfsinfo", "dm-run"], on: qemu },
      { args: ["domfsfreeze", "test", "/", "/boot"], on: test, after: [["domfsthaw", "test"]] },
      { args: ["domfsfreeze", "dm-run"], on: qemu },
      { args: ["domfsthaw", "test", "/"], on: test },
      { args: ["domfstrim", "test", "--minimum", "x"], on: test },
      { args: ["domfstrim", "dm-run", "--minimum", "1024"], on: qemu },
      { args: ["set-user-password", "test", "root", "secret", "--encrypted"], on: test },
      { args: ["set-user-password", "dm-run", "root", "secret"], on: qemu },
      { args: ["guestvcpus", "test"], on: test },
      { args: ["guestvcpus", "test", "--cpulist", "1"], on: test },
      { args: ["guestvcpus", "dm-run", "--cpulist", "1", "--disable"], on: qemu },
      { args: ["inject-nmi", "test"], on: test },
      { args: ["inject-nmi", "dm-off"], on: qemu },
      { args: ["send-key", "dm-run", "KEY_LEFTSHIFT", "KEY_A", "0x1e", "--holdtime", "50"], on: qemu },
      { args: ["send-key", "test", "--codeset", "win32", "VK_RETURN"], on: test },
      { args: ["send-key", "test", "--codeset", "xt", "KEY_A"], on: test },
      { args: ["send-key", "test", "--codeset", "bogus", "1"], on: test },
      { args: ["send-key", "test", "70000"], on: test },
      { args: ["send-key", "dm-off", "1"], on: qemu },
      { args: ["send-process-signal", "test", "1", "SIGRT32"], on: test },
      { args: ["send-process-signal", "test", "1", "SIG_bogus"], on: test },
      { args: ["send-process-signal", "test", "0", "term"], on: test },
      { args: ["send-process-signal", "dm-run", "1", "SIGTERM"], on: qemu },
      { args: ["dompmsuspend", "dm-run", "disk"], on: qemu },
      { args: ["dompmsuspend", "test", "bogus"], on: test },
      { args: ["dompmsuspend", "test", "mem", "--duration", "x"], on: test },
      { args: ["dompmwakeup", "dm-run"], on: qemu },
      { args: ["guest-agent-timeout", "dm-run", "--timeout", "10"], on: qemu, after: [["guest-agent-timeout", "dm-run", "--timeout", "-1"]] },
      { args: ["guest-agent-timeout", "test"], on: test },
      { args: ["domrename", "dm-off", "dm-off2"], on: qemu, after: [["domrename", "dm-off2", "dm-off"]] },
      { args: ["domrename", "dm-run", "x"], on: qemu },
      { args: ["domrename", "dm-off", "dm-off"], on: qemu },
      // jobs and migration tunables
      { args: ["domjobinfo", "dm-run"], on: qemu },
      // The last managedsave's completed job, kept (--keep-completed) so that the second side reads it too.
      { args: ["domjobinfo", "dm-run", "--completed", "--keep-completed"], on: qemu },
      { args: ["domjobinfo", "dm-run", "--completed", "--keep-completed", "--rawstats"], on: qemu },
      { args: ["domjobinfo", "dm-off"], on: qemu },
      { args: ["domjobinfo", "test"], on: test },
      { args: ["domjobinfo", "test", "--completed"], on: test },
      { args: ["domjobinfo", "test", "--keep-completed"], on: test },
      { args: ["domjobabort", "dm-run"], on: qemu },
      { args: ["domjobabort", "test", "--postcopy"], on: test },
      { args: ["dump", "test", "/nonexistent-dir/core"], on: test },
      { args: ["dump", "test", "/nonexistent-dir/core", "--live", "--crash"], on: test },
      { args: ["dump", "test", "/nonexistent-dir/core", "--format", "elf"], on: test },
      { args: ["dump", "dm-off", "{dir}/core", "--memory-only", "--format", "bogus"], on: qemu, masks: [dir] },
      { args: ["dump", "dm-off", "{dir}/core", "--verbose"], on: qemu, masks: [dir] },
      { args: ["migrate-setmaxdowntime", "dm-run", "0"], on: qemu },
      { args: ["migrate-setmaxdowntime", "dm-run", "400"], on: qemu, after: [["migrate-setmaxdowntime", "dm-run", "300"]] },
      { args: ["migrate-getmaxdowntime", "dm-run"], on: qemu },
      { args: ["migrate-getmaxdowntime", "test"], on: test },
      { args: ["migrate-compcache", "dm-run"], on: qemu },
      { args: ["migrate-setspeed", "dm-run", "100"], on: qemu, after: [["migrate-setspeed", "dm-run", "8796093022207"]] },
      { args: ["migrate-setspeed", "test", "x"], on: test },
      { args: ["migrate-getspeed", "dm-run"], on: qemu },
      { args: ["migrate-getspeed", "dm-run", "--postcopy"], on: qemu },
      { args: ["migrate-postcopy", "dm-run"], on: qemu },
      // tunables: typed parameters read in the daemon's types, the session driver refusing
      { args: ["schedinfo", "test"], on: test },
      { args: ["schedinfo", "test", "--set", "weight=70"], on: test, after: [["schedinfo", "test", "--set", "weight=50"]] },
      { args: ["schedinfo", "test", "--set", "weight=x"], on: test },
      { args: ["schedinfo", "test", "--set", "bogus=1"], on: test },
      { args: ["schedinfo", "test", "--config"], on: test },
      { args: ["schedinfo", "dm-run"], on: qemu },
      { args: ["memtune", "test"], on: test },
      { args: ["memtune", "test", "--hard-limit", "1G"], on: test, after: [["memtune", "test", "--hard-limit", "-1"]] },
      { args: ["memtune", "test", "--hard-limit", "x"], on: test },
      { args: ["memtune", "dm-run"], on: qemu },
      { args: ["blkiotune", "test"], on: test },
      { args: ["blkiotune", "test", "--weight", "0"], on: test },
      { args: ["blkiotune", "test", "--weight", "500"], on: test, after: [["blkiotune", "test", "--weight", "1000"]] },
      { args: ["blkiotune", "test", "--device-weights", ""], on: test },
      { args: ["blkiotune", "dm-run"], on: qemu },
      { args: ["blkiotune", "dm-off", "--config", "--weight", "300"], on: qemu },
      { args: ["numatune", "test"], on: test },
      { args: ["numatune", "dm-off", "--config"], on: qemu },
      { args: ["numatune", "test", "--mode", "bogus"], on: test },
      { args: ["numatune", "test", "--mode", "0x1"], on: test },
      { args: ["perf", "test"], on: test },
      { args: ["perf", "test", "--enable", "cmt,mbmt"], on: test, after: [["perf", "test", "--disable", "cmt,mbmt"]] },
      { args: ["perf", "dm-off", "--config"], on: qemu },
      { args: ["set-lifecycle-action", "dm-off", "crash", "preserve", "--config"], on: qemu, after: [["set-lifecycle-action", "dm-off", "crash", "destroy", "--config"]] },
      { args: ["set-lifecycle-action", "dm-run", "reboot", "preserve", "--live"], on: qemu },
      { args: ["set-lifecycle-action", "test", "bogus", "destroy"], on: test },
      { args: ["set-lifecycle-action", "nope", "reboot", "bogus"], on: test },
      // devices from a file
      { args: ["attach-device", "dm-off", "{dir}/cdrom.xml", "--config"], on: qemu, after: [["detach-device", "dm-off", "{dir}/cdrom.xml", "--config"]] },
      { args: ["attach-device", "test", "{dir}/cdrom.xml"], on: test, masks: [dir] },
      { args: ["attach-device", "test", "{dir}/none.xml"], on: test, masks: [dir] },
      { args: ["attach-device", "test", "{dir}/cdrom.xml", "--persistent", "--current"], on: test },
      {
        args: ["detach-device", "dm-off", "{dir}/cdrom.xml", "--persistent"],
        on: qemu,
        before: [["attach-device", "dm-off", "{dir}/cdrom.xml", "--config"]],
      },
      { args: ["detach-device", "dm-off", "{dir}/cdrom.xml", "--config"], on: qemu, masks: [dir] },
      { args: ["detach-device-alias", "dm-run", "ua-nope", "--live"], on: qemu },
      { args: ["detach-device-alias", "test", "ua-nope"], on: test },
      {
        args: ["update-device", "dm-off", "{dir}/cdrom.xml", "--config", "--force"],
        on: qemu,
        before: [["attach-device", "dm-off", "{dir}/cdrom.xml", "--config"]],
        after: [["detach-device", "dm-off", "{dir}/cdrom.xml", "--config"]],
      },
      { args: ["update-device", "test", "{dir}/cdrom.xml"], on: test, masks: [dir] },
      // IOThreads
      { args: ["iothreadinfo", "test"], on: test },
      {
        args: ["iothreadinfo", "dm-off", "--config"],
        on: qemu,
        before: [["iothreadadd", "dm-off", "2", "--config"]],
        after: [["iothreaddel", "dm-off", "2", "--config"]],
      },
      { args: ["iothreadadd", "dm-run", "4", "--live"], on: qemu, after: [["iothreaddel", "dm-run", "4", "--live"]] },
      { args: ["iothreadadd", "test", "0"], on: test },
      { args: ["iothreadadd", "test", "x"], on: test },
      { args: ["iothreadadd", "test", "3"], on: test, after: [["iothreaddel", "test", "3"]] },
      { args: ["iothreaddel", "dm-off", "5", "--config"], on: qemu },
      { args: ["iothreadpin", "dm-off", "1", "0", "--config"], on: qemu },
      { args: ["iothreadpin", "test", "1", "x"], on: test },
      // vCPU and emulator affinity
      { args: ["vcpuinfo", "test"], on: test, masks: [vcpuTimes] },
      { args: ["vcpuinfo", "dm-run", "--pretty"], on: qemu, masks: [vcpuTimes, vcpuHost] },
      { args: ["vcpuinfo", "dm-off"], on: qemu },
      { args: ["vcpupin", "test"], on: test },
      { args: ["vcpupin", "dm-off"], on: qemu },
      { args: ["vcpupin", "dm-off", "--live"], on: qemu },
      { args: ["vcpupin", "test", "5"], on: test },
      { args: ["vcpupin", "test", "0", "0-1,^1"], on: test, after: [["vcpupin", "test", "0", "r"]] },
      { args: ["vcpupin", "dm-off", "0", "0", "--config"], on: qemu, after: [["vcpupin", "dm-off", "0", "r", "--config"]] },
      { args: ["vcpupin", "test", "0", "x"], on: test },
      { args: ["vcpupin", "test", "0", "^0"], on: test },
      { args: ["vcpupin", "test", "0", "4096"], on: test },
      { args: ["vcpupin", "test", "--cpulist", "0"], on: test },
      { args: ["emulatorpin", "test"], on: test },
      { args: ["emulatorpin", "dm-run", "--live"], on: qemu },
      { args: ["emulatorpin", "dm-off", "0", "--config"], on: qemu, after: [["emulatorpin", "dm-off", "r", "--config"]] },
    ],
  },
];
