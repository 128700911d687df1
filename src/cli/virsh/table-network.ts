// virsh's Networking (virsh-network.c), Network Filter (virsh-nwfilter.c) and Secret (virsh-secret.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";
import { virsh } from "./entry.js";

const life: CommandModule<VshContext> = () => import("./net-life.js");
const info: CommandModule<VshContext> = () => import("./net-info.js");
const update: CommandModule<VshContext> = () => import("./net-update.js");
const events: CommandModule<VshContext> = () => import("./net-event.js");
const port: CommandModule<VshContext> = () => import("./net-port.js");
const edit: CommandModule<VshContext> = () => import("./net-edit.js");
const nwfilterEdit: CommandModule<VshContext> = () => import("./nwfilter-edit.js");
const nwfilter: CommandModule<VshContext> = () => import("./nwfilter.js");
const binding: CommandModule<VshContext> = () => import("./nwfilter-binding.js");
const secret: CommandModule<VshContext> = () => import("./secret.js");
const secretValue: CommandModule<VshContext> = () => import("./secret-value.js");

export const NETWORK_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("net-autostart", "autostart a network", life),
  virsh("net-create", "create a network from an XML file", life),
  virsh("net-define", "define an inactive persistent virtual network or modify an existing persistent one from an XML file", life),
  virsh("net-destroy", "destroy (stop) a network", life),
  virsh("net-dhcp-leases", "print lease info for a given network", info),
  virsh("net-dumpxml", "network information in XML", info),
  virsh("net-edit", "edit XML configuration for a network", edit),
  virsh("net-event", "Network Events", events),
  virsh("net-info", "network information", info),
  virsh("net-name", "convert a network UUID to network name", info),
  virsh("net-start", "start a (previously defined) inactive network", life),
  virsh("net-undefine", "undefine a persistent network", life),
  virsh("net-update", "update parts of an existing network's configuration", update),
  virsh("net-uuid", "convert a network name to network UUID", info),
  virsh("net-port-list", "list network ports", port),
  virsh("net-port-create", "create a network port from an XML file", port),
  virsh("net-port-dumpxml", "network port information in XML", port),
  virsh("net-port-delete", "delete the specified network port", port),
  virsh("nwfilter-define", "define or update a network filter from an XML file", nwfilter),
  virsh("nwfilter-dumpxml", "network filter information in XML", nwfilter),
  virsh("nwfilter-edit", "edit XML configuration for a network filter", nwfilterEdit),
  virsh("nwfilter-list", "list network filters", nwfilter),
  virsh("nwfilter-undefine", "undefine a network filter", nwfilter),
  virsh("nwfilter-binding-create", "create a network filter binding from an XML file", binding),
  virsh("nwfilter-binding-delete", "delete a network filter binding", binding),
  virsh("nwfilter-binding-dumpxml", "network filter information in XML", binding),
  virsh("nwfilter-binding-list", "list network filter bindings", binding),
  virsh("secret-define", "define or modify a secret from an XML file", secret),
  virsh("secret-dumpxml", "secret attributes in XML", secret),
  virsh("secret-event", "Secret Events", events),
  virsh("secret-get-value", "Output a secret value", secretValue),
  virsh("secret-list", "list secrets", secret),
  virsh("secret-set-value", "set a secret value", secretValue),
  virsh("secret-undefine", "undefine a secret", secret),
];
