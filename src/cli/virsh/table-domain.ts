// virsh's Domain Management commands (virsh-domain.c) beyond the core ones in table.ts: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";
import { virsh } from "./entry.js";

const ident: CommandModule<VshContext> = () => import("./dom-ident.js");
const display: CommandModule<VshContext> = () => import("./dom-display.js");
const edit: CommandModule<VshContext> = () => import("./dom-edit.js");
const mem: CommandModule<VshContext> = () => import("./dom-mem.js");
const vcpu: CommandModule<VshContext> = () => import("./dom-vcpu.js");
const save: CommandModule<VshContext> = () => import("./dom-save.js");
const guest: CommandModule<VshContext> = () => import("./dom-guest.js");
const job: CommandModule<VshContext> = () => import("./dom-job.js");
const create: CommandModule<VshContext> = () => import("./dom-create.js");
const tune: CommandModule<VshContext> = () => import("./dom-tune.js");
const device: CommandModule<VshContext> = () => import("./dom-device.js");
const iothread: CommandModule<VshContext> = () => import("./dom-iothread.js");
const pin: CommandModule<VshContext> = () => import("./dom-pin.js");
const jobinfo: CommandModule<VshContext> = () => import("./dom-jobinfo.js");
const blockjob: CommandModule<VshContext> = () => import("./dom-blockjob.js");
const blockcopy: CommandModule<VshContext> = () => import("./dom-blockcopy.js");
const attachByOptions: CommandModule<VshContext> = () => import("./dom-attach.js");
const detach: CommandModule<VshContext> = () => import("./dom-detach.js");
const iotune: CommandModule<VshContext> = () => import("./dom-iotune.js");
const qemu: CommandModule<VshContext> = () => import("./dom-qemu.js");
const sshkeys: CommandModule<VshContext> = () => import("./dom-sshkeys.js");
const launchsec: CommandModule<VshContext> = () => import("./dom-launchsec.js");
const cpu: CommandModule<VshContext> = () => import("./dom-cpu.js");
const native: CommandModule<VshContext> = () => import("./dom-native.js");
const saveEdit: CommandModule<VshContext> = () => import("./dom-save-edit.js");
const migrate: CommandModule<VshContext> = () => import("./dom-migrate.js");

export const DOMAIN_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("autostart", "autostart a domain", ident),
  virsh("create", "create a domain from an XML file", create),
  virsh("domid", "convert a domain name or UUID to domain id", ident),
  virsh("domname", "convert a domain id or UUID to domain name", ident),
  virsh("domuuid", "convert a domain name or id to domain UUID", ident),
  virsh("domhostname", "print the domain's hostname", ident),
  virsh("domrename", "rename a domain", ident),
  virsh("domdisplay", "domain display connection URI", display),
  virsh("vncdisplay", "vnc display", display),
  virsh("ttyconsole", "tty console", display),
  virsh("edit", "edit XML configuration for a domain", edit),
  virsh("desc", "show or set domain's description or title", edit),
  virsh("metadata", "show or set domain's custom XML metadata", edit),
  virsh("setmem", "change memory allocation", mem),
  virsh("setmaxmem", "change maximum memory limit", mem),
  virsh("vcpucount", "domain vcpu counts", vcpu),
  virsh("setvcpus", "change number of virtual CPUs", vcpu),
  virsh("save", "save a domain state to a file", save),
  virsh("restore", "restore a domain from a saved state in a file", save),
  virsh("save-image-dumpxml", "saved state domain information in XML", save),
  virsh("managedsave", "managed save of a domain state", save),
  virsh("managedsave-remove", "Remove managed save of a domain", save),
  virsh("managedsave-dumpxml", "Domain information of managed save state file in XML", save),
  virsh("managedsave-edit", "edit XML for a domain's managed save state file", saveEdit),
  virsh("managedsave-define", "redefine the XML for a domain's managed save state file", saveEdit),
  virsh("save-image-edit", "edit XML for a domain's saved state file", saveEdit),
  virsh("save-image-define", "redefine the XML for a domain's saved state file", saveEdit),
  virsh("migrate", "migrate domain to another host", migrate),
  virsh("domfsfreeze", "Freeze domain's mounted filesystems.", guest),
  virsh("domfsthaw", "Thaw domain's mounted filesystems.", guest),
  virsh("domfsinfo", "Get information of domain's mounted filesystems.", guest),
  virsh("domfstrim", "Invoke fstrim on domain's mounted filesystems.", guest),
  virsh("set-user-password", "set the user password inside the domain", guest),
  virsh("guestvcpus", "query or modify state of vcpu in the guest (via agent)", guest),
  virsh("inject-nmi", "Inject NMI to the guest", guest),
  virsh("send-key", "Send keycodes to the guest", guest),
  virsh("send-process-signal", "Send signals to processes", guest),
  virsh("dompmsuspend", "suspend a domain gracefully using power management functions", guest),
  virsh("dompmwakeup", "wakeup a domain from pmsuspended state", guest),
  virsh("guest-agent-timeout", "Set the guest agent timeout", guest),
  virsh("domjobinfo", "domain job information", jobinfo),
  virsh("domjobabort", "abort active domain job", job),
  virsh("dump", "dump the core of a domain to a file for analysis", job),
  virsh("migrate-setmaxdowntime", "set maximum tolerable downtime", job),
  virsh("migrate-getmaxdowntime", "get maximum tolerable downtime", job),
  virsh("migrate-compcache", "get/set compression cache size", job),
  virsh("migrate-setspeed", "Set the maximum migration bandwidth", job),
  virsh("migrate-getspeed", "Get the maximum migration bandwidth", job),
  virsh("migrate-postcopy", "Switch running migration from pre-copy to post-copy", job),
  virsh("schedinfo", "show/set scheduler parameters", tune),
  virsh("memtune", "Get or set memory parameters", tune),
  virsh("blkiotune", "Get or set blkio parameters", tune),
  virsh("numatune", "Get or set numa parameters", tune),
  virsh("perf", "Get or set perf event", tune),
  virsh("set-lifecycle-action", "change lifecycle actions", tune),
  virsh("attach-device", "attach device from an XML file", device),
  virsh("detach-device", "detach device from an XML file", device),
  virsh("detach-device-alias", "detach device from an alias", device),
  virsh("update-device", "update device from an XML file", device),
  virsh("iothreadinfo", "view domain IOThreads", iothread),
  virsh("iothreadadd", "add an IOThread to the guest domain", iothread),
  virsh("iothreaddel", "delete an IOThread from the guest domain", iothread),
  virsh("iothreadpin", "control domain IOThread affinity", pin),
  virsh("vcpuinfo", "detailed domain vcpu information", pin),
  virsh("vcpupin", "control or query domain vcpu affinity", pin),
  virsh("emulatorpin", "control or query domain emulator affinity", pin),
  virsh("blockcommit", "Start a block commit operation.", blockcopy),
  virsh("blockcopy", "Start a block copy operation.", blockcopy),
  virsh("blockjob", "Manage active block operations", blockjob),
  virsh("blockpull", "Populate a disk from its backing image.", blockjob),
  virsh("blockresize", "Resize block device of domain.", blockjob),
  // Devices described by options or found in the domain's XML, and their limits.
  virsh("attach-disk", "attach disk device", attachByOptions),
  virsh("attach-interface", "attach network interface", attachByOptions),
  virsh("detach-disk", "detach disk device", detach),
  virsh("detach-interface", "detach network interface", detach),
  virsh("change-media", "Change media of CD or floppy drive", detach),
  virsh("domif-setlink", "set link state of a virtual interface", detach),
  virsh("update-memory-device", "update memory device of a domain", detach),
  virsh("domiftune", "get/set parameters of a virtual interface", iotune),
  virsh("blkdeviotune", "Set or query a block device I/O tuning parameters.", iotune),
  virsh("domblkthreshold", "set the threshold for block-threshold event for a given block device or it's backing chain element", iotune),
  virsh("qemu-monitor-command", "QEMU Monitor Command", qemu),
  virsh("qemu-monitor-event", "QEMU Monitor Events", qemu),
  virsh("qemu-agent-command", "QEMU Guest Agent Command", qemu),
  virsh("qemu-attach", "QEMU Attach", qemu),
  virsh("get-user-sshkeys", "list authorized SSH keys for given user (via agent)", sshkeys),
  virsh("set-user-sshkeys", "manipulate authorized SSH keys file for given user (via agent)", sshkeys),
  virsh("domlaunchsecinfo", "Get domain launch security info", launchsec),
  virsh("domsetlaunchsecstate", "Set domain launch security state", launchsec),
  virsh("cpu-stats", "show domain cpu statistics", cpu),
  virsh("setvcpu", "attach/detach vcpu or groups of threads", cpu),
  virsh("iothreadset", "modifies an existing IOThread of the guest domain", cpu),
  virsh("domdirtyrate-calc", "Calculate a vm's memory dirty rate", cpu),
  virsh("domxml-from-native", "Convert native config to domain XML", native),
  virsh("domxml-to-native", "Convert domain XML to native config", native),
];
