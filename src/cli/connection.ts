// The one way every command connects: the global options applied (-c, -r,
// -k, -K), the URI chosen in virsh's order, and credentials the daemon asks
// for asked on the terminal. The library is imported here, on first use, so
// that commands which never connect never load it.

import type { Client, ConnectOptions } from "../client/client.js";
import { defaultGlobals, type GlobalOptions } from "./globals.js";

let globals: GlobalOptions = defaultGlobals();

/** Set once by main, before the command runs. */
export function setGlobals(g: GlobalOptions): void {
  globals = g;
}

export function currentGlobals(): GlobalOptions {
  return globals;
}

/**
 * virsh's order: -c, then VIRSH_DEFAULT_CONNECT_URI (read by virsh's main),
 * then undefined, which the library resolves as libvirt does
 * (LIBVIRT_DEFAULT_URI, then the local daemon). An empty value counts as
 * unset, as libvirt treats an empty name.
 */
export function chooseUri(g: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (g.connect !== undefined && g.connect !== "") return g.connect;
  const virsh = env["VIRSH_DEFAULT_CONNECT_URI"];
  if (virsh !== undefined && virsh !== "") return virsh;
  return undefined;
}

/**
 * virshConnect's keepalive: 5 s and a count of 6 unless -k/-K say
 * otherwise; `-k 0` turns it off.
 */
export function keepaliveFor(g: GlobalOptions): { interval: number; count: number } | false {
  const interval = g.keepaliveInterval ?? 5;
  const count = g.keepaliveCount ?? 6;
  return interval > 0 ? { interval, count } : false;
}

/**
 * Connects with the global options. `uri` (a command's own -c, kept for
 * the commands that still parse it) wins over them; `options` over the
 * defaults given here.
 */
export async function connect(uri?: string, options: ConnectOptions = {}): Promise<Client> {
  const [{ connect: open }, { terminalPrompt }] = await Promise.all([import("../client/client.js"), import("../auth/prompt.js")]);
  return open(uri ?? chooseUri(globals), {
    readOnly: globals.readonly,
    keepalive: keepaliveFor(globals),
    auth: { callback: terminalPrompt() },
    ...options,
  });
}
