// virsh's Domain Monitoring (virsh-domain-monitor.c), Snapshot (virsh-snapshot.c) and Checkpoint (virsh-checkpoint.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";
import { virsh } from "./entry.js";

const devices: CommandModule<VshContext> = () => import("./monitor-devices.js");

export const MONITOR_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("domblkinfo", "domain block device size information", devices),
  virsh("domblklist", "list all domain blocks", devices),
  virsh("domif-getlink", "get link state of a virtual interface", devices),
  virsh("domiflist", "list all domain virtual interfaces", devices),
];
