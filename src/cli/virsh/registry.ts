// Which module holds which virsh command, so that a command line loads only
// the families it names (and main.ts can tell virsh's words from ours
// without loading any of them).

import type { VirshCommand } from "../vsh.js";

type Family = () => Promise<{ commands: VirshCommand[] }>;

const host: Family = () => import("./host.js");
const monitor: Family = () => import("./domain-monitor.js");
const domain: Family = () => import("./domain.js");
const network: Family = () => import("./network.js");
const storage: Family = () => import("./storage.js");

export const VIRSH_COMMANDS: Readonly<Record<string, Family>> = {
  version: host,
  uri: host,
  hostname: host,
  nodeinfo: host,
  capabilities: host,
  list: monitor,
  dominfo: monitor,
  domstate: monitor,
  domstats: monitor,
  define: domain,
  undefine: domain,
  start: domain,
  shutdown: domain,
  reboot: domain,
  reset: domain,
  destroy: domain,
  suspend: domain,
  resume: domain,
  dumpxml: domain,
  "net-list": network,
  "pool-list": storage,
  "vol-list": storage,
};

export function isVirshCommand(name: string): boolean {
  return Object.hasOwn(VIRSH_COMMANDS, name);
}

export async function findVirshCommand(name: string): Promise<VirshCommand | undefined> {
  const family = Object.hasOwn(VIRSH_COMMANDS, name) ? VIRSH_COMMANDS[name] : undefined;
  if (family === undefined) return undefined;
  return (await family()).commands.find((c) => c.name === name);
}
