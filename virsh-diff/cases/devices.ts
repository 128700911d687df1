// Differential cases of the device commands of src/cli/virsh/dom-attach.ts,
// dom-detach.ts and dom-iotune.ts: XML built from options, devices found
// in the domain's XML and edited, and their limits.

import type { CaseGroup, Mask } from "../case.js";

/**
 * A running QEMU guest with ACPI (PCI hotplug), an empty IDE CD-ROM and a
 * user-mode interface. With no OS it never answers a PCI unplug, so the
 * devices attached and detached live are USB ones, which go at once.
 */
const running = `<domain type='qemu'>
  <name>dv-run</name>
  <memory unit='MiB'>64</memory>
  <currentMemory unit='MiB'>64</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <features><acpi/></features>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <interface type='user'>
      <mac address='52:54:00:d2:00:01'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
`;

/** A shut-off QEMU guest with a virtio-mem device and a DIMM, each with an alias. */
const memory = `<domain type='qemu'>
  <name>dv-mem</name>
  <maxMemory slots='4' unit='MiB'>1024</maxMemory>
  <memory unit='MiB'>256</memory>
  <vcpu placement='static'>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/></numa></cpu>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memory model='virtio-mem'>
      <target>
        <size unit='MiB'>128</size>
        <node>0</node>
        <block unit='MiB'>2</block>
        <requested unit='MiB'>64</requested>
      </target>
      <alias name='ua-vmem'/>
    </memory>
    <memory model='dimm'>
      <target>
        <size unit='MiB'>64</size>
        <node>0</node>
      </target>
      <alias name='ua-dimm'/>
    </memory>
  </devices>
</domain>
`;

/** A test-driver guest with removable media, two interfaces of one MAC address, a bridge with a link state, and two DIMMs. */
const testGuest = `<domain type='test'>
  <name>dv-t</name>
  <maxMemory slots='4' unit='KiB'>1048576</maxMemory>
  <memory unit='KiB'>393216</memory>
  <os><type>hvm</type></os>
  <cpu><numa><cell id='0' cpus='0' memory='131072' unit='KiB'/></numa></cpu>
  <devices>
    <disk type='file' device='cdrom'><source file='/iso/a.iso' startupPolicy='optional'/><target dev='hdc' bus='ide'/><readonly/></disk>
    <disk type='block' device='floppy'><target dev='fda'/></disk>
    <interface type='network'><mac address='52:54:00:00:00:0a'/><source network='default'/></interface>
    <interface type='network'><mac address='52:54:00:00:00:0A'/><source network='default'/></interface>
    <interface type='bridge'><mac address='52:54:00:00:00:0b'/><source bridge='br0'/><link state='up'/></interface>
    <memory model='dimm'><target><size unit='KiB'>131072</size><node>0</node></target><alias name='ua-d1'/></memory>
    <memory model='dimm'><target><size unit='KiB'>131072</size><node>0</node></target></memory>
  </devices>
</domain>
`;

const usbNet = "<interface type='user'>\n  <mac address='52:54:00:d2:00:02'/>\n  <model type='usb-net'/>\n</interface>\n";

const test = ["test"] as const;
const qemu = ["qemu"] as const;

/** The group's fresh directory, in the XML and messages: a new one each run. */
const dir: Mask = { pattern: /\/tmp\/[^ '"\n]*virsh-diff-[^/ '"\n]+/g, replace: "{dir}", why: "the group's files' directory is made anew for each run" };

/** QEMU's block node index: a counter the daemon raises with each disk attached, so the second side's attach gets the next one. */
const nodeIndex: Mask = { pattern: / index="\d+"/g, replace: ' index="N"', why: "the block node index counts every disk attached to the running guest, each side's attach taking the next" };

const MAC1 = "52:54:00:d2:00:01";
const MAC2 = "52:54:00:d2:00:02";
/** A USB disk on the running guest, attached and detached at once. */
const usbDisk = ["attach-disk", "dv-run", "{dir}/d1.qcow2", "sdb", "--subdriver", "qcow2", "--targetbus", "usb"];
const insertIso = ["change-media", "dv-run", "hdc", "{dir}/iso.raw", "--insert"];
const ejectIso = ["change-media", "dv-run", "hdc", "--eject"];

export const groups: readonly CaseGroup[] = [
  {
    group: "Domain Management",
    commands: ["attach-disk", "detach-disk", "attach-interface", "detach-interface", "domif-setlink", "domiftune", "change-media", "update-memory-device", "domblkthreshold", "blkdeviotune"],
    files: { "dv-run.xml": running, "dv-mem.xml": memory, "dv-t.xml": testGuest, "usbnet.xml": usbNet },
    setup: {
      test: [["define", "{dir}/dv-t.xml"]],
      qemu: [
        // The disk images, made by the daemon with qemu-img in the group's directory.
        ["pool-create-as", "dvpool", "dir", "--target", "{dir}"],
        ["vol-create-as", "dvpool", "d1.qcow2", "1M", "--format", "qcow2"],
        ["vol-create-as", "dvpool", "iso.raw", "1M"],
        ["define", "{dir}/dv-run.xml"],
        ["define", "{dir}/dv-mem.xml"],
        ["start", "dv-run"],
      ],
    },
    teardown: {
      test: [["undefine", "dv-t"]],
      qemu: [
        ["destroy", "dv-run"],
        ["undefine", "dv-run"],
        ["undefine", "dv-mem"],
        ["vol-delete", "d1.qcow2", "--pool", "dvpool"],
        ["vol-delete", "iso.raw", "--pool", "dvpool"],
        ["pool-destroy", "dvpool"],
      ],
    },
    cases: [
      // attach-disk: the XML from options (printed), then attached
      { args: ["attach-disk", "test", "/tmp/x", "vdb", "--print-xml"], on: test },
      {
        args: ["attach-disk", "nosuch", "/tmp/x", "vdb", "--print-xml", "--address", "pci:0000.00.0a.0", "--cache", "none", "--io", "native", "--serial", "S1", "--alias", "ua-x",
          "--wwn", "0x5000c50015ea71ad", "--mode", "readonly", "--type", "disk", "--rawio", "--iothread", "1", "--multifunction", "--driver", "qemu", "--subdriver", "raw", "--targetbus", "virtio"],
        on: test,
      },
      { args: ["attach-disk", "test", "vol1", "vdb", "--source-protocol", "nbd", "--source-host-name", "h:1234", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "vol1", "vdb", "--source-protocol", "nbd", "--sourcetype", "network", "--source-host-transport", "unix", "--source-host-socket", "/s", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "", "vdb", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/a'b<c&d", "vdb", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "hdb", "--address", "ide:0.1.2", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "sdb", "--address", "usb:1.2", "--shareable", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "sdb", "--address", "scsi:0.0.3", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--address", "ccw:fe.0.1", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "xvdb", "--address", "usb:3.4", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "sdb", "--address", "ide:0.0.0", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "hdb", "--address", "pci:0.0.1.0", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--address", "usb:1.1", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--address", "bogus", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--address", "pci:x.0.1.0", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--wwn", "123", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--mode", "rw", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--sourcetype", "net", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--sourcetype", "network", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--sourcetype", "block", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--source-host-name", "x", "--print-xml"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--source-protocol", "nbd", "--source-host-name", "x", "--source-host-socket", "/s", "--source-host-transport", "unix"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--source-protocol", "nbd", "--source-host-socket", "/s"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--persistent", "--current"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--live", "--current"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--driver", ""], on: test },
      { args: ["attach-disk", "test", "/dev/null", ""], on: test },
      { args: ["attach-disk", "test", "/dev/null"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb"], on: test },
      { args: ["attach-disk", "test", "/dev/null", "vdb", "--config"], on: test },
      { args: ["attach-disk", "nosuch", "/dev/null", "vdb"], on: test },
      { args: usbDisk, on: qemu, masks: [dir], after: [["domblklist", "dv-run"], ["detach-disk", "dv-run", "sdb"]] },
      { args: [...usbDisk, "--persistent"], on: qemu, masks: [dir], after: [["domblklist", "dv-run", "--inactive"], ["detach-disk", "dv-run", "sdb", "--persistent"], ["domblklist", "dv-run"]] },
      { args: ["attach-disk", "dv-run", "{dir}/d1.qcow2", "vdc", "--subdriver", "qcow2", "--config"], on: qemu, masks: [dir], after: [["domblklist", "dv-run", "--inactive"], ["detach-disk", "dv-run", "vdc", "--config"]] },
      { args: ["attach-disk", "dv-run", "{dir}/none.img", "sdc", "--targetbus", "usb", "--live"], on: qemu, masks: [dir] },
      { args: ["attach-disk", "dv-run", "{dir}/d1.qcow2", "hdc", "--config"], on: qemu, masks: [dir] },

      // detach-disk: the disk found by target or source, printed or detached
      { args: ["detach-disk", "test", "vda", "--print-xml"], on: test },
      { args: ["detach-disk", "test", "/guest/diskimage1", "--print-xml"], on: test },
      { args: ["detach-disk", "test", "vda", "--config", "--print-xml"], on: test },
      { args: ["detach-disk", "test", "vdz"], on: test },
      { args: ["detach-disk", "test", "vda"], on: test },
      { args: ["detach-disk", "test", "vda", "--persistent"], on: test },
      { args: ["detach-disk", "test", "vda", "--persistent", "--current"], on: test },
      { args: ["detach-disk", "test", ""], on: test },
      { args: ["detach-disk", "nosuch", "vda"], on: test },
      { args: ["detach-disk", "dv-t", "fda", "--print-xml"], on: test },
      { args: ["detach-disk", "dv-run", "sdb", "--print-xml"], on: qemu, masks: [dir, nodeIndex], before: [usbDisk], after: [["detach-disk", "dv-run", "sdb"]] },
      { args: ["detach-disk", "dv-run", "sdb"], on: qemu, before: [usbDisk], after: [["domblklist", "dv-run"]] },
      { args: ["detach-disk", "dv-run", "sdb", "--live"], on: qemu, before: [usbDisk], after: [["domblklist", "dv-run"]] },
      { args: ["detach-disk", "dv-run", "vdc", "--config"], on: qemu, masks: [dir], before: [["attach-disk", "dv-run", "{dir}/d1.qcow2", "vdc", "--config"]], after: [["domblklist", "dv-run", "--inactive"]] },
      { args: ["detach-disk", "dv-run", "hdc", "--persistent", "--print-xml"], on: qemu },
      { args: ["detach-disk", "dv-run", "vdz"], on: qemu },
      { args: ["detach-disk", "dv-mem", "vda"], on: qemu },

      // attach-interface
      { args: ["attach-interface", "test", "network", "default", "--print-xml"], on: test },
      {
        args: ["attach-interface", "nosuch", "bridge", "br0", "--target", "vnet9", "--mac", "52:54:00:00:00:09", "--script", "/bin/true", "--model", "virtio", "--alias", "ua-n",
          "--inbound", "100,200,300,400", "--outbound", "10,20,30", "--managed", "--print-xml"],
        on: test,
      },
      { args: ["attach-interface", "test", "direct", "eth0", "--inbound", ",,,5", "--print-xml"], on: test },
      { args: ["attach-interface", "test", "hostdev", "0000:00:19.0", "--print-xml"], on: test },
      { args: ["attach-interface", "test", "hostdev", "bogus", "--print-xml"], on: test },
      { args: ["attach-interface", "test", "vhostuser", "/tmp/s", "--print-xml"], on: test },
      { args: ["attach-interface", "test", "vhostuser", "/tmp/s", "--source-mode", "client", "--print-xml"], on: test },
      { args: ["attach-interface", "test", "vhostuser", "/tmp/s", "--source-mode", "bogus"], on: test },
      { args: ["attach-interface", "test", "user", "x"], on: test },
      { args: ["attach-interface", "test", "bogus", "x"], on: test },
      { args: ["attach-interface", "test", "network", "default", "--inbound", "1,2,3,4,5"], on: test },
      { args: ["attach-interface", "test", "network", "default", "--inbound", "x"], on: test },
      { args: ["attach-interface", "test", "network", "default", "--inbound", "1,-2"], on: test },
      { args: ["attach-interface", "test", "network", "default", "--inbound", ",2"], on: test },
      { args: ["attach-interface", "test", "network", "default", "--outbound", ",2"], on: test },
      { args: ["attach-interface", "test", "network", "default", "--outbound", "1,,,2"], on: test },
      { args: ["attach-interface", "test", "network", "default", "--inbound", ""], on: test },
      { args: ["attach-interface", "test", "network"], on: test },
      { args: ["attach-interface", "test", "network", "default"], on: test },
      { args: ["attach-interface", "test", "network", "default", "--persistent"], on: test },
      { args: ["attach-interface", "test", "network", "default", "--persistent", "--current"], on: test },
      { args: ["attach-interface", "nosuch", "network", "default"], on: test },
      { args: ["attach-interface", "dv-run", "user", "x"], on: qemu },
      { args: ["attach-interface", "dv-run", "network", "default"], on: qemu },
      { args: ["attach-interface", "dv-run", "network", "default", "--persistent"], on: qemu, after: [["domiflist", "dv-run", "--inactive"]] },
      {
        args: ["attach-interface", "dv-run", "network", "default", "--config", "--mac", "52:54:00:d2:00:03", "--model", "e1000"],
        on: qemu,
        after: [["domiflist", "dv-run", "--inactive"], ["detach-interface", "dv-run", "network", "--config"], ["domiflist", "dv-run", "--inactive"]],
      },

      // detach-interface: the interface of a type (and MAC), printed or detached
      { args: ["detach-interface", "test", "network", "--print-xml"], on: test },
      { args: ["detach-interface", "test", "network", "--mac", "AA:BB:CC:DD:EE:FF", "--print-xml"], on: test },
      { args: ["detach-interface", "test", "network", "--mac", "aa:bb:cc:dd:ee:f", "--print-xml"], on: test },
      { args: ["detach-interface", "test", "network", "--persistent", "--print-xml"], on: test },
      { args: ["detach-interface", "test", "network", "--live", "--config", "--print-xml"], on: test },
      { args: ["detach-interface", "test", "user", "--print-xml"], on: test },
      { args: ["detach-interface", "test", "bridge", "--config", "--print-xml"], on: test },
      { args: ["detach-interface", "test", "user"], on: test },
      { args: ["detach-interface", "test", "network"], on: test },
      { args: ["detach-interface", "test", "network", "--config"], on: test },
      { args: ["detach-interface", "test", "network", "--persistent"], on: test },
      { args: ["detach-interface", "test", "network", "--mac", ""], on: test },
      { args: ["detach-interface", "test", ""], on: test },
      { args: ["detach-interface", "nosuch", "network"], on: test },
      { args: ["detach-interface", "dv-t", "network"], on: test },
      { args: ["detach-interface", "dv-t", "network", "--mac", "52:54:00:00:00:0a"], on: test },
      { args: ["detach-interface", "dv-t", "network", "--mac", "52:54:00:00:00:0c"], on: test },
      { args: ["detach-interface", "dv-t", "bridge", "--mac", "52:54:0:0:0:b", "--print-xml"], on: test },
      { args: ["detach-interface", "dv-run", "user", "--print-xml"], on: qemu },
      { args: ["detach-interface", "dv-run", "user", "--mac", MAC1, "--persistent", "--print-xml"], on: qemu },
      { args: ["detach-interface", "dv-run", "user", "--mac", MAC2], on: qemu, before: [["attach-device", "dv-run", "{dir}/usbnet.xml"]], after: [["domiflist", "dv-run"]] },
      {
        args: ["detach-interface", "dv-run", "user"],
        on: qemu,
        before: [["attach-device", "dv-run", "{dir}/usbnet.xml"]],
        after: [["detach-interface", "dv-run", "user", "--mac", MAC2], ["domiflist", "dv-run"]],
      },
      { args: ["detach-interface", "dv-run", "user", "--mac", "52:54:00:d2:00:09"], on: qemu },
      { args: ["detach-interface", "dv-run", "network", "--config"], on: qemu },

      // change-media: the CD-ROM's or floppy's source changed
      { args: ["change-media", "dv-t", "hdc", "--eject", "--print-xml"], on: test },
      { args: ["change-media", "dv-t", "/iso/a.iso", "/iso/b.iso", "--print-xml"], on: test },
      { args: ["change-media", "dv-t", "hdc", "--update", "--print-xml"], on: test },
      { args: ["change-media", "dv-t", "fda", "/dev/sdz", "--block", "--insert", "--print-xml"], on: test },
      { args: ["change-media", "dv-t", "fda", "--eject"], on: test },
      { args: ["change-media", "dv-t", "fda", "--insert"], on: test },
      { args: ["change-media", "dv-t", "hdc", "/iso/c.iso", "--insert"], on: test },
      { args: ["change-media", "dv-t", "hdc", "/iso/c.iso"], on: test },
      { args: ["change-media", "test", "vda", "--eject"], on: test },
      { args: ["change-media", "test", "vda", "--eject", "--insert"], on: test },
      { args: ["change-media", "test", "vda", "--eject", "--update"], on: test },
      { args: ["change-media", "test", "vda", "--insert", "--update"], on: test },
      { args: ["change-media", "test", "vda", "--eject", "--block"], on: test },
      { args: ["change-media", "test", "vda", "--source", ""], on: test },
      { args: ["change-media", "test", "vda", "x", "--current", "--config"], on: test },
      { args: ["change-media", "nosuch", "vda"], on: test },
      { args: [...insertIso, "--print-xml"], on: qemu, masks: [dir] },
      { args: insertIso, on: qemu, masks: [dir], after: [["domblklist", "dv-run"], ejectIso] },
      { args: ejectIso, on: qemu, masks: [dir], before: [insertIso], after: [["domblklist", "dv-run"]] },
      { args: [...ejectIso, "--print-xml"], on: qemu, masks: [dir], before: [insertIso], after: [ejectIso] },
      { args: ["change-media", "dv-run", "hdc", "{dir}/d1.qcow2", "--update", "--print-xml"], on: qemu, masks: [dir], before: [insertIso], after: [ejectIso] },
      { args: insertIso, on: qemu, masks: [dir], before: [insertIso], after: [ejectIso] },
      { args: ejectIso, on: qemu },
      { args: ["change-media", "dv-run", "hdc", "--insert"], on: qemu },
      { args: ["change-media", "dv-run", "hdc", "{dir}/iso.raw", "--config", "--print-xml"], on: qemu, masks: [dir] },
      { args: ["change-media", "dv-run", "hdc", "{dir}/none.iso", "--insert", "--live"], on: qemu, masks: [dir] },
      { args: ["change-media", "dv-run", "vdz", "--eject"], on: qemu },

      // domif-setlink, with domif-getlink after
      { args: ["domif-setlink", "test", "aa:bb:cc:dd:ee:ff", "down", "--print-xml"], on: test },
      { args: ["domif-setlink", "test", "TESTNET0", "up", "--config", "--print-xml"], on: test },
      { args: ["domif-setlink", "dv-t", "52:54:00:00:00:0b", "down", "--persistent", "--print-xml"], on: test },
      { args: ["domif-setlink", "dv-t", "52:54:00:00:00:0A", "down", "--print-xml"], on: test },
      { args: ["domif-setlink", "test", "testnet0", "down"], on: test },
      { args: ["domif-setlink", "test", "testnet0", "sideways"], on: test },
      { args: ["domif-setlink", "test", "nope", "down"], on: test },
      { args: ["domif-setlink", "test", "", "down"], on: test },
      { args: ["domif-setlink", "test", "testnet0"], on: test },
      { args: ["domif-setlink", "nosuch", "x", "down"], on: test },
      { args: ["domif-setlink", "dv-run", MAC1, "down", "--print-xml"], on: qemu },
      { args: ["domif-setlink", "dv-run", MAC1, "down"], on: qemu, after: [["domif-getlink", "dv-run", MAC1], ["domif-setlink", "dv-run", MAC1, "up"], ["domif-getlink", "dv-run", MAC1]] },
      { args: ["domif-setlink", "dv-run", MAC1, "up"], on: qemu, before: [["domif-setlink", "dv-run", MAC1, "down"]], after: [["domif-getlink", "dv-run", MAC1]] },
      { args: ["domif-setlink", "dv-run", MAC1, "down", "--config"], on: qemu, after: [["domif-getlink", "dv-run", MAC1, "--config"], ["domif-setlink", "dv-run", MAC1, "up", "--config"]] },
      { args: ["domif-setlink", "dv-mem", MAC1, "down"], on: qemu },

      // domiftune
      { args: ["domiftune", "test", "testnet0"], on: test },
      { args: ["domiftune", "test", "aa:bb:cc:dd:ee:ff", "--config"], on: test },
      { args: ["domiftune", "test", "nope"], on: test },
      { args: ["domiftune", "test", "testnet0", "--inbound", "100,200,300", "--outbound", "50"], on: test, after: [["domiftune", "test", "testnet0"]] },
      { args: ["domiftune", "test", "testnet0", "--inbound", "5000000000"], on: test },
      { args: ["domiftune", "test", "testnet0", "--outbound", "1,5000000000"], on: test },
      { args: ["domiftune", "test", "testnet0", "--inbound", "0,5"], on: test },
      { args: ["domiftune", "test", "testnet0", "--outbound", "0,5"], on: test },
      { args: ["domiftune", "test", "testnet0", "--outbound", "5,,,5"], on: test },
      { args: ["domiftune", "test", "testnet0", "--outbound", "x"], on: test },
      { args: ["domiftune", "test", "testnet0", "--live", "--current"], on: test },
      { args: ["domiftune", "test", ""], on: test },
      { args: ["domiftune", "nosuch", "testnet0"], on: test },
      { args: ["domiftune", "dv-run", MAC1], on: qemu },
      { args: ["domiftune", "dv-run", MAC1, "--config"], on: qemu },
      { args: ["domiftune", "dv-run", MAC1, "--inbound", "100"], on: qemu },
      { args: ["domiftune", "dv-run", "nope"], on: qemu },

      // blkdeviotune: shown with no option, else set
      { args: ["blkdeviotune", "test", "vda"], on: test },
      { args: ["blkdeviotune", "test", "vda", "--config"], on: test },
      { args: ["blkdeviotune", "test", "vda", "--live", "--config"], on: test },
      { args: ["blkdeviotune", "test", "vdz"], on: test },
      { args: ["blkdeviotune", "test", "vda", "--total_bytes_sec", "10M", "--total-bytes-sec-max", "20M", "--group-name", "g1"], on: test, after: [["blkdeviotune", "test", "vda"]] },
      { args: ["blkdeviotune", "test", "vda", "--total-bytes-sec", "10M"], on: test },
      { args: ["blkdeviotune", "test", "vda", "--total-bytes-sec", "10Q"], on: test },
      { args: ["blkdeviotune", "test", "vda", "--total-bytes-sec", "-1"], on: test },
      { args: ["blkdeviotune", "test", "vda", "--read-iops-sec", "x"], on: test },
      { args: ["blkdeviotune", "test", "vda", "--group-name", ""], on: test },
      { args: ["blkdeviotune", "test", ""], on: test },
      { args: ["blkdeviotune", "test", "vda", "--current", "--live"], on: test },
      { args: ["blkdeviotune", "nosuch", "vda"], on: test },
      { args: ["blkdeviotune", "dv-run", "sdb", "--total-iops-sec", "100", "--read-bytes-sec", "1M"], on: qemu, before: [usbDisk], after: [["blkdeviotune", "dv-run", "sdb"], ["detach-disk", "dv-run", "sdb"]] },
      { args: ["blkdeviotune", "dv-run", "sdb"], on: qemu, before: [usbDisk], after: [["detach-disk", "dv-run", "sdb"]] },
      { args: ["blkdeviotune", "dv-run", "hdc"], on: qemu },
      { args: ["blkdeviotune", "dv-run", "vdz", "--total-iops-sec", "100"], on: qemu },
      { args: ["blkdeviotune", "dv-mem", "vda"], on: qemu },

      // domblkthreshold
      { args: ["domblkthreshold", "test", "vda", "1M"], on: test },
      { args: ["domblkthreshold", "test", "vda", "1Q"], on: test },
      { args: ["domblkthreshold", "test", "vda", "x"], on: test },
      { args: ["domblkthreshold", "test", "", "1"], on: test },
      { args: ["domblkthreshold", "test", "vda"], on: test },
      { args: ["domblkthreshold", "nosuch", "vda", "1"], on: test },
      { args: ["domblkthreshold", "dv-run", "sdb", "100k"], on: qemu, before: [usbDisk], after: [["detach-disk", "dv-run", "sdb"]] },
      { args: ["domblkthreshold", "dv-run", "vdz", "1"], on: qemu },
      { args: ["domblkthreshold", "dv-mem", "vda", "1"], on: qemu },

      // update-memory-device
      { args: ["update-memory-device", "test"], on: test },
      { args: ["update-memory-device", "dv-t"], on: test },
      { args: ["update-memory-device", "dv-t", "--alias", "ua-d1", "--print-xml"], on: test },
      { args: ["update-memory-device", "dv-t", "--node", "0"], on: test },
      { args: ["update-memory-device", "dv-t", "--alias", "ua-d1", "--requested-size", "1M"], on: test },
      { args: ["update-memory-device", "dv-t", "--alias", "ua-d1"], on: test },
      { args: ["update-memory-device", "test", "--node", "1", "--alias", "x"], on: test },
      { args: ["update-memory-device", "test", "--node", "-1"], on: test },
      { args: ["update-memory-device", "test", "--alias", ""], on: test },
      { args: ["update-memory-device", "test", "--current", "--live"], on: test },
      { args: ["update-memory-device", "nosuch"], on: test },
      { args: ["update-memory-device", "dv-mem"], on: qemu },
      { args: ["update-memory-device", "dv-mem", "--node", "0"], on: qemu },
      { args: ["update-memory-device", "dv-mem", "--alias", "ua-vmem", "--print-xml"], on: qemu },
      { args: ["update-memory-device", "dv-mem", "--alias", "ua-vmem", "--requested-size", "32M", "--print-xml", "--config"], on: qemu },
      { args: ["update-memory-device", "dv-mem", "--alias", "ua-vmem", "--requested-size", "32Q", "--print-xml"], on: qemu },
      { args: ["update-memory-device", "dv-mem", "--alias", "ua-dimm", "--requested-size", "32M"], on: qemu },
      {
        args: ["update-memory-device", "dv-mem", "--alias", "ua-vmem", "--requested-size", "32M", "--config"],
        on: qemu,
        after: [["update-memory-device", "dv-mem", "--alias", "ua-vmem", "--print-xml"], ["update-memory-device", "dv-mem", "--alias", "ua-vmem", "--requested-size", "64M", "--config"]],
      },
      { args: ["update-memory-device", "dv-mem", "--alias", "ua-vmem", "--requested-size", "32M", "--live"], on: qemu },
      { args: ["update-memory-device", "dv-run"], on: qemu },
    ],
  },
];
