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

export const DOMAIN_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("autostart", "autostart a domain", ident),
  virsh("domid", "convert a domain name or UUID to domain id", ident),
  virsh("domname", "convert a domain id or UUID to domain name", ident),
  virsh("domuuid", "convert a domain name or id to domain UUID", ident),
  virsh("domhostname", "print the domain's hostname", ident),
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
];
