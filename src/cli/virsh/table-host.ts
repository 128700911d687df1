// virsh's Host and Hypervisor (virsh-host.c), Node Device (virsh-nodedev.c) and Interface (virsh-interface.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";
import { virsh } from "./entry.js";

const hypervisor: CommandModule<VshContext> = () => import("./hypervisor.js");
const memory: CommandModule<VshContext> = () => import("./node-memory.js");
const cpu: CommandModule<VshContext> = () => import("./hypervisor-cpu.js");
const nodedev: CommandModule<VshContext> = () => import("./nodedev.js");
const nodedevEvent: CommandModule<VshContext> = () => import("./nodedev-event.js");
const iface: CommandModule<VshContext> = () => import("./iface.js");
const bridge: CommandModule<VshContext> = () => import("./iface-bridge.js");

export const HOST_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("allocpages", "Manipulate pages pool size", memory),
  virsh("cpu-baseline", "compute baseline CPU", cpu),
  virsh("cpu-compare", "compare host CPU with a CPU described by an XML file", cpu),
  virsh("cpu-models", "CPU models", hypervisor),
  virsh("domcapabilities", "domain capabilities", hypervisor),
  virsh("freecell", "NUMA free memory", memory),
  virsh("freepages", "NUMA free pages", memory),
  virsh("hypervisor-cpu-baseline", "compute baseline CPU usable by a specific hypervisor", cpu),
  virsh("hypervisor-cpu-compare", "compare a CPU with the CPU created by a hypervisor on the host", cpu),
  virsh("maxvcpus", "connection vcpu maximum", hypervisor),
  virsh("node-memory-tune", "Get or set node memory parameters", memory),
  virsh("nodecpumap", "node cpu map", hypervisor),
  virsh("nodecpustats", "Prints cpu stats of the node.", hypervisor),
  virsh("nodememstats", "Prints memory stats of the node.", hypervisor),
  virsh("nodesevinfo", "node SEV information", hypervisor),
  virsh("nodesuspend", "suspend the host node for a given time duration", hypervisor),
  virsh("sysinfo", "print the hypervisor sysinfo", hypervisor),
  virsh("nodedev-autostart", "autostart a defined node device", nodedev),
  virsh("nodedev-create", "create a device defined by an XML file on the node", nodedev),
  virsh("nodedev-define", "Define a device by an xml file on a node", nodedev),
  virsh("nodedev-destroy", "destroy (stop) a device on the node", nodedev),
  { ...virsh("nodedev-detach", "detach node device from its device driver", nodedev), names: ["nodedev-detach", "nodedev-dettach"] },
  virsh("nodedev-dumpxml", "node device details in XML", nodedev),
  virsh("nodedev-info", "node device information", nodedev),
  virsh("nodedev-list", "enumerate devices on this host", nodedev),
  virsh("nodedev-reattach", "reattach node device to its device driver", nodedev),
  virsh("nodedev-reset", "reset node device", nodedev),
  virsh("nodedev-start", "Start an inactive node device", nodedev),
  virsh("nodedev-undefine", "Undefine an inactive node device", nodedev),
  virsh("nodedev-event", "Node Device Events", nodedevEvent),
  virsh("iface-begin", "create a snapshot of current interfaces settings, which can be later committed (iface-commit) or restored (iface-rollback)", iface),
  virsh("iface-bridge", "create a bridge device and attach an existing network device to it", bridge),
  virsh("iface-commit", "commit changes made since iface-begin and free restore point", iface),
  virsh("iface-define", "define an inactive persistent physical host interface or modify an existing persistent one from an XML file", iface),
  virsh("iface-destroy", "destroy a physical host interface (disable it / \"if-down\")", iface),
  virsh("iface-dumpxml", "interface information in XML", iface),
  virsh("iface-edit", "edit XML configuration for a physical host interface", iface),
  virsh("iface-list", "list physical host interfaces", iface),
  virsh("iface-mac", "convert an interface name to interface MAC address", iface),
  virsh("iface-name", "convert an interface MAC address to interface name", iface),
  virsh("iface-rollback", "rollback to previous saved configuration created via iface-begin", iface),
  virsh("iface-start", "start a physical host interface (enable it / \"if-up\")", iface),
  virsh("iface-unbridge", "undefine a bridge device after detaching its device(s)", bridge),
  virsh("iface-undefine", "undefine a physical host interface (remove it from configuration)", iface),
];
