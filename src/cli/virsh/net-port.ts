// virsh-network.c: a network's ports: net-port-list, net-port-create,
// net-port-dumpxml, net-port-delete.

import { formatTable } from "../format/admin.js";
import type { Client } from "../../client/client.js";
import type { RemoteNonnullNetworkPort } from "../../gen/remote_protocol.js";
import type { Opts } from "../command.js";
import { CommandFailed, type VirshCommand, type VshContext } from "../vsh.js";
import { FILE, NETWORK } from "./net-life.js";
import { XPATH_OPTIONS, dumpXml } from "./pool-xpath.js";
import { LibvirtError } from "../../rpc/errors.js";
import { lookupNetworkPort, networkOpt } from "./net-lookup.js";
import { readXmlFile, step, stringReq } from "./util.js";
import { uuidToString } from "../../uuid.js";
import { VIR_NETWORK_PORT_CREATE_VALIDATE } from "../../gen/friendly/constants.js";

const PORT = { name: "port", type: "data", required: true } as const;

/** memcmp of two UUIDs, as virsh orders ports. */
function byteCompare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The port that --network and --port name, or null after virsh's lines
 * for what was not found: net-port-dumpxml and net-port-delete then end as
 * successes, without the library's error, as virsh 9.0's do.
 */
async function portOpt(ctx: VshContext, c: Client, opts: Opts): Promise<RemoteNonnullNetworkPort | null> {
  try {
    const { net } = await networkOpt(c, opts);
    return await lookupNetworkPort(c, net, stringReq(opts, "port")!);
  } catch (e) {
    if (!(e instanceof CommandFailed)) throw e;
    for (const line of e.lines) ctx.error(line);
    return null;
  }
}

export const commands: VirshCommand[] = [
  {
    names: ["net-port-list"],
    options: [NETWORK, { name: "uuid", type: "bool" }, { name: "table", type: "bool" }],
    async run(ctx, opts) {
      const optUuid = opts.bool("uuid");
      if (opts.bool("table") && optUuid) throw new CommandFailed(["Only one argument from --table and --uuid may be specified."]);
      const c = await ctx.client();
      const { net: network } = await networkOpt(c, opts);
      const { ports } = await c.networkListAllPorts({ network, need_results: 1, flags: 0 });
      ports.sort((a, b) => byteCompare(a.uuid, b.uuid));
      const uuids = ports.map((p) => uuidToString(p.uuid));
      if (optUuid) for (const u of uuids) ctx.print(`${u}\n`);
      else ctx.print(formatTable(["UUID"], uuids.map((u) => [u]), !ctx.globals.quiet));
    },
  },
  {
    names: ["net-port-create"],
    options: [NETWORK, FILE, { name: "validate", type: "bool" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const { net: network } = await networkOpt(c, opts);
      const from = stringReq(opts, "file")!;
      const xml = await readXmlFile(from);
      const flags = opts.bool("validate") ? VIR_NETWORK_PORT_CREATE_VALIDATE : 0;
      const { port } = await step(`Failed to create network from ${from}`, () => c.networkPortCreateXml({ network, xml, flags }));
      ctx.printExtra(`Network port ${uuidToString(port.uuid)} created from ${from}\n`);
    },
  },
  {
    names: ["net-port-dumpxml"],
    options: [NETWORK, PORT, ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const port = await portOpt(ctx, c, opts);
      if (port === null) return true;
      try {
        return await dumpXml(ctx, opts, async () => (await c.networkPortGetXmlDesc({ port, flags: 0 })).xml);
      } catch (e) {
        // virsh 9.0 reports success where the daemon refuses the XML, printing nothing.
        if (e instanceof LibvirtError) return true;
        throw e;
      }
    },
  },
  {
    names: ["net-port-delete"],
    options: [NETWORK, PORT],
    async run(ctx, opts) {
      const c = await ctx.client();
      const port = await portOpt(ctx, c, opts);
      if (port === null) return true;
      const uuid = uuidToString(port.uuid);
      // As in virsh 9.0, a refused delete prints its line and still succeeds.
      const deleted = await c.networkPortDelete({ port, flags: 0 }).then(() => true, () => false);
      if (deleted) ctx.printExtra(`Network port ${uuid} deleted\n`);
      else ctx.error(`Failed to delete network port ${uuid}`);
      return true;
    },
  },
];
