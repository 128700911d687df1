// virsh's Networking (virsh-network.c), Network Filter (virsh-nwfilter.c) and Secret (virsh-secret.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";
import { virsh } from "./entry.js";

const life: CommandModule<VshContext> = () => import("./net-life.js");
const info: CommandModule<VshContext> = () => import("./net-info.js");
const update: CommandModule<VshContext> = () => import("./net-update.js");

export const NETWORK_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("net-autostart", "autostart a network", life),
  virsh("net-create", "create a network from an XML file", life),
  virsh("net-define", "define an inactive persistent virtual network or modify an existing persistent one from an XML file", life),
  virsh("net-destroy", "destroy (stop) a network", life),
  virsh("net-dhcp-leases", "print lease info for a given network", info),
  virsh("net-dumpxml", "network information in XML", info),
  virsh("net-info", "network information", info),
  virsh("net-name", "convert a network UUID to network name", info),
  virsh("net-start", "start a (previously defined) inactive network", life),
  virsh("net-undefine", "undefine a persistent network", life),
  virsh("net-update", "update parts of an existing network's configuration", update),
  virsh("net-uuid", "convert a network name to network UUID", info),
];
