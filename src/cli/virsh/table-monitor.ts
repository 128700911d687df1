// virsh's Domain Monitoring (virsh-domain-monitor.c), Snapshot (virsh-snapshot.c), Checkpoint (virsh-checkpoint.c) and Backup (virsh-backup.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";
import { virsh } from "./entry.js";

const devices: CommandModule<VshContext> = () => import("./monitor-devices.js");
const stats: CommandModule<VshContext> = () => import("./monitor-stats.js");
const guest: CommandModule<VshContext> = () => import("./monitor-guest.js");
const snapshot: CommandModule<VshContext> = () => import("./snapshot.js");
const snapshotList: CommandModule<VshContext> = () => import("./snapshot-list.js");
const snapshotEdit: CommandModule<VshContext> = () => import("./snapshot-edit.js");
const checkpoint: CommandModule<VshContext> = () => import("./checkpoint.js");
const checkpointEdit: CommandModule<VshContext> = () => import("./checkpoint-edit.js");
const backup: CommandModule<VshContext> = () => import("./backup.js");

export const MONITOR_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("domblkerror", "Show errors on block devices", stats),
  virsh("domblkinfo", "domain block device size information", devices),
  virsh("domblklist", "list all domain blocks", devices),
  virsh("domblkstat", "get device block stats for a domain", stats),
  virsh("domcontrol", "domain control interface state", stats),
  virsh("domif-getlink", "get link state of a virtual interface", devices),
  virsh("domifaddr", "Get network interfaces' addresses for a running domain", stats),
  virsh("domiflist", "list all domain virtual interfaces", devices),
  virsh("domifstat", "get network interface stats for a domain", stats),
  virsh("dommemstat", "get memory statistics for a domain", stats),
  virsh("domtime", "domain time", stats),
  // virsh lists guestinfo under Domain Management; it is here as a guest's monitoring (issue 26's split).
  virsh("guestinfo", "query information about the guest (via agent)", guest),
  virsh("snapshot-create", "Create a snapshot from XML", snapshot),
  virsh("snapshot-create-as", "Create a snapshot from a set of args", snapshot),
  virsh("snapshot-current", "Get or set the current snapshot", snapshot),
  virsh("snapshot-delete", "Delete a domain snapshot", snapshot),
  virsh("snapshot-dumpxml", "Dump XML for a domain snapshot", snapshot),
  virsh("snapshot-edit", "edit XML for a snapshot", snapshotEdit),
  virsh("snapshot-info", "snapshot information", snapshot),
  virsh("snapshot-list", "List snapshots for a domain", snapshotList),
  virsh("snapshot-parent", "Get the name of the parent of a snapshot", snapshot),
  virsh("snapshot-revert", "Revert a domain to a snapshot", snapshot),
  virsh("checkpoint-create", "Create a checkpoint from XML", checkpoint),
  virsh("checkpoint-create-as", "Create a checkpoint from a set of args", checkpoint),
  virsh("checkpoint-delete", "Delete a domain checkpoint", checkpoint),
  virsh("checkpoint-dumpxml", "Dump XML for a domain checkpoint", checkpoint),
  virsh("checkpoint-edit", "edit XML for a checkpoint", checkpointEdit),
  virsh("checkpoint-info", "checkpoint information", checkpoint),
  virsh("checkpoint-list", "List checkpoints for a domain", checkpoint),
  virsh("checkpoint-parent", "Get the name of the parent of a checkpoint", checkpoint),
  virsh("backup-begin", "Start a disk backup of a live domain", backup),
  virsh("backup-dumpxml", "Dump XML for an ongoing domain block backup job", backup),
];
