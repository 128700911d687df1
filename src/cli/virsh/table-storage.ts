// virsh's Storage Pool (virsh-pool.c) and Storage Volume (virsh-volume.c) commands: which module holds each.
// Summaries are virsh 9.0's own.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";
import { virsh } from "./entry.js";

const poolLifecycle: CommandModule<VshContext> = () => import("./pool-lifecycle.js");
const poolInfo: CommandModule<VshContext> = () => import("./pool-info.js");
const poolEdit: CommandModule<VshContext> = () => import("./pool-edit.js");
const poolEvent: CommandModule<VshContext> = () => import("./pool-event.js");
const volLifecycle: CommandModule<VshContext> = () => import("./vol-lifecycle.js");
const volInfo: CommandModule<VshContext> = () => import("./vol-info.js");

export const STORAGE_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("find-storage-pool-sources-as", "find potential storage pool sources", poolInfo),
  virsh("find-storage-pool-sources", "discover potential storage pool sources", poolInfo),
  virsh("pool-autostart", "autostart a pool", poolLifecycle),
  virsh("pool-build", "build a pool", poolLifecycle),
  virsh("pool-create-as", "create a pool from a set of args", poolLifecycle),
  virsh("pool-create", "create a pool from an XML file", poolLifecycle),
  virsh("pool-define-as", "define a pool from a set of args", poolLifecycle),
  virsh("pool-define", "define an inactive persistent storage pool or modify an existing persistent one from an XML file", poolLifecycle),
  virsh("pool-delete", "delete a pool", poolLifecycle),
  virsh("pool-destroy", "destroy (stop) a pool", poolLifecycle),
  virsh("pool-dumpxml", "pool information in XML", poolInfo),
  virsh("pool-edit", "edit XML configuration for a storage pool", poolEdit),
  virsh("pool-info", "storage pool information", poolInfo),
  virsh("pool-name", "convert a pool UUID to pool name", poolInfo),
  virsh("pool-refresh", "refresh a pool", poolLifecycle),
  virsh("pool-start", "start a (previously defined) inactive pool", poolLifecycle),
  virsh("pool-undefine", "undefine an inactive pool", poolLifecycle),
  virsh("pool-uuid", "convert a pool name to pool UUID", poolInfo),
  virsh("pool-event", "Storage Pool Events", poolEvent),
  virsh("pool-capabilities", "storage pool capabilities", poolInfo),
  virsh("vol-clone", "clone a volume.", volLifecycle),
  virsh("vol-create-as", "create a volume from a set of args", volLifecycle),
  virsh("vol-create", "create a vol from an XML file", volLifecycle),
  virsh("vol-create-from", "create a vol, using another volume as input", volLifecycle),
  virsh("vol-delete", "delete a vol", volLifecycle),
  virsh("vol-dumpxml", "vol information in XML", volInfo),
  virsh("vol-info", "storage vol information", volInfo),
  virsh("vol-key", "returns the volume key for a given volume name or path", volInfo),
  virsh("vol-name", "returns the volume name for a given volume key or path", volInfo),
  virsh("vol-path", "returns the volume path for a given volume name or key", volInfo),
  virsh("vol-pool", "returns the storage pool for a given volume key or path", volInfo),
  virsh("vol-resize", "resize a vol", volLifecycle),
  virsh("vol-wipe", "wipe a vol", volLifecycle),
];
