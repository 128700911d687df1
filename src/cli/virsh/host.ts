// virsh-host.c: version, uri, hostname, nodeinfo, capabilities.

import { readFileSync } from "node:fs";
import { chooseUri } from "../connection.js";
import type { VirshCommand } from "../vsh.js";
import { cString, step } from "./util.js";

/** libvirt's version number (major * 1,000,000 + minor * 1,000 + release) as "%d.%d.%d". */
function dotted(v: number | bigint): string {
  const n = Number(v);
  return `${Math.floor(n / 1_000_000)}.${Math.floor((n % 1_000_000) / 1000)}.${n % 1000}`;
}

/**
 * The libvirt version this client was generated from (protocol/libvirt.json):
 * what "Compiled against" and "Using library" mean for a client that is not
 * linked to libvirt.
 */
function protocolVersion(): string {
  try {
    const json = JSON.parse(readFileSync(new URL("../../../../protocol/libvirt.json", import.meta.url), "utf8")) as { pinned?: unknown };
    if (typeof json.pinned === "string") return json.pinned;
  } catch {
    // A copy without protocol/: say so rather than guess.
  }
  return "0.0.0";
}

export const commands: VirshCommand[] = [
  {
    names: ["version"],
    options: [{ name: "daemon", type: "bool" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { type } = await step("failed to get hypervisor type", () => c.connectGetType());
      const ours = protocolVersion();
      ctx.print(`Compiled against library: libvirt ${ours}\n`);
      ctx.print(`Using library: libvirt ${ours}\n`);
      ctx.print(`Using API: ${type} ${ours}\n`);
      const { hv_ver } = await step("failed to get the hypervisor version", () => c.connectGetVersion());
      if (hv_ver === 0n) ctx.print(`Cannot extract running ${type} hypervisor version\n`);
      else ctx.print(`Running hypervisor: ${type} ${dotted(hv_ver)}\n`);
      if (opts.bool("daemon")) {
        try {
          ctx.print(`Running against daemon: ${dotted((await c.connectGetLibVersion()).lib_ver)}\n`);
        } catch {
          // virsh reports it and still succeeds.
          ctx.error("failed to get the daemon version");
        }
      }
    },
  },
  {
    names: ["uri"],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      // virConnectGetURI formats the URI the client opened; only when none was named
      // at all does the remote driver ask the daemon which one it chose.
      const named = chooseUri(ctx.globals) ?? process.env["LIBVIRT_DEFAULT_URI"];
      const uri = named !== undefined && named !== "" ? c.uri.uri : (await step("failed to get URI", () => c.connectGetUri())).uri;
      ctx.print(`${uri}\n`);
    },
  },
  {
    names: ["hostname"],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      ctx.print(`${(await step("failed to get hostname", () => c.connectGetHostname())).hostname}\n`);
    },
  },
  {
    names: ["nodeinfo"],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      const n = await step("failed to get node information", () => c.nodeGetInfo());
      const row = (label: string, value: string): void => ctx.print(`${label.padEnd(20)} ${value}\n`);
      row("CPU model:", cString(n.model));
      row("CPU(s):", String(n.cpus));
      if (n.mhz !== 0) row("CPU frequency:", `${n.mhz} MHz`);
      row("CPU socket(s):", String(n.sockets));
      row("Core(s) per socket:", String(n.cores));
      row("Thread(s) per core:", String(n.threads));
      row("NUMA cell(s):", String(n.nodes));
      row("Memory size:", `${n.memory} KiB`);
    },
  },
  {
    names: ["capabilities"],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      ctx.print(`${(await step("failed to get capabilities", () => c.connectGetCapabilities())).capabilities}\n`);
    },
  },
];
