// virsh's commands that this CLI runs: which module holds each, so that a
// command line loads only the modules it names, and main.ts tells virsh's
// words from ours without loading any. Summaries are virsh 9.0's own.

import type { CommandEntry, CommandModule } from "../command.js";
import type { VshContext } from "../vsh.js";
import { virsh } from "./entry.js";
import { DOMAIN_COMMANDS } from "./table-domain.js";
import { MONITOR_COMMANDS } from "./table-monitor.js";
import { NETWORK_COMMANDS } from "./table-network.js";
import { HOST_COMMANDS } from "./table-host.js";
import { STORAGE_COMMANDS } from "./table-storage.js";
import { VSH_COMMANDS } from "./table-vsh.js";

const host: CommandModule<VshContext> = () => import("./host.js");
const monitor: CommandModule<VshContext> = () => import("./domain-monitor.js");
const domain: CommandModule<VshContext> = () => import("./domain.js");
const serialConsole: CommandModule<VshContext> = () => import("../console.js");
const screenshot: CommandModule<VshContext> = () => import("../screenshot.js");
const network: CommandModule<VshContext> = () => import("./network.js");
const storage: CommandModule<VshContext> = () => import("./storage.js");
const volume: CommandModule<VshContext> = () => import("../volume.js");

export const VIRSH_COMMANDS: readonly CommandEntry<VshContext>[] = [
  virsh("version", "show version", host),
  virsh("uri", "print the hypervisor canonical URI", host),
  virsh("hostname", "print the hypervisor hostname", host),
  virsh("nodeinfo", "node information", host),
  virsh("capabilities", "capabilities", host),
  virsh("list", "list domains", monitor),
  virsh("dominfo", "domain information", monitor),
  virsh("domstate", "domain state", monitor),
  virsh("domstats", "get statistics about one or multiple domains", monitor),
  virsh("define", "define (but don't start) a domain from an XML file", domain),
  virsh("undefine", "undefine a domain", domain),
  virsh("start", "start a (previously defined) inactive domain", domain),
  virsh("shutdown", "gracefully shutdown a domain", domain),
  virsh("reboot", "reboot a domain", domain),
  virsh("reset", "reset a domain", domain),
  virsh("destroy", "destroy (stop) a domain", domain),
  virsh("suspend", "suspend a domain", domain),
  virsh("resume", "resume a domain", domain),
  virsh("dumpxml", "domain information in XML", domain),
  virsh("console", "connect to the guest console", serialConsole),
  virsh("screenshot", "take a screenshot of a current domain console and store it into a file", screenshot),
  virsh("net-list", "list networks", network),
  virsh("pool-list", "list pools", storage),
  virsh("vol-list", "list vols", storage),
  virsh("vol-upload", "upload file contents to a volume", volume),
  virsh("vol-download", "download volume contents to a file", volume),
  // virsh's groups, each table kept beside its modules.
  ...DOMAIN_COMMANDS,
  ...MONITOR_COMMANDS,
  ...STORAGE_COMMANDS,
  ...NETWORK_COMMANDS,
  ...HOST_COMMANDS,
  ...VSH_COMMANDS,
];
