// virsh-interface.c: host interfaces listed, looked up by name or MAC,
// their XML, their life cycle (define, undefine, start, destroy, edit) and
// the network configuration transaction (iface-begin, -commit, -rollback).

import type { Client } from "../../client/client.js";
import type { RemoteNonnullInterface } from "../../gen/remote_protocol.js";
import {
  VIR_CONNECT_LIST_INTERFACES_ACTIVE,
  VIR_CONNECT_LIST_INTERFACES_INACTIVE,
  VIR_INTERFACE_DEFINE_VALIDATE,
  VIR_INTERFACE_XML_INACTIVE,
} from "../../gen/friendly/constants.js";
import type { OptDef } from "../command.js";
import { formatTable } from "../format/admin.js";
import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";
import { editLoop } from "./dom-editor.js";
import { dumpXml, XPATH_OPTIONS } from "./pool-xpath.js";
import { caseCompare, readXmlFile, step, stringReq } from "./util.js";

const IFACE: OptDef = { name: "interface", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });

/** virMacAddrParse: six groups of one or two hex digits joined by `:`, anything from a blank on after them. */
function isMac(text: string): boolean {
  return /^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}(?:[\0- ].*)?$/s.test(text);
}

/**
 * virshCommandOptInterfaceBy: a word that reads as a MAC address is looked
 * up by MAC, any other by name, each only where the command allows it.
 */
async function lookupIface(c: Client, word: string, ways: { name: boolean; mac: boolean } = { name: true, mac: true }): Promise<RemoteNonnullInterface> {
  const mac = isMac(word);
  let cause: unknown;
  try {
    if (!mac && ways.name) return (await c.interfaceLookupByName({ name: word })).iface;
    if (mac && ways.mac) return (await c.interfaceLookupByMacString({ mac: word })).iface;
  } catch (e) {
    cause = e;
  }
  throw new CommandFailed([`failed to get interface '${word}'`], cause === undefined ? undefined : { cause });
}

/** A command that takes an interface, does one thing to it, and says so. */
function simple(name: string, act: (c: Client, iface: RemoteNonnullInterface) => Promise<unknown>, failed: string, done: string): VirshCommand {
  return {
    names: [name],
    options: [IFACE],
    async run(ctx, opts) {
      const word = stringReq(opts, "interface")!;
      const c = await ctx.client();
      const iface = await lookupIface(c, word);
      await step(`${failed} ${word}`, () => act(c, iface));
      ctx.printExtra(`Interface ${word} ${done}\n`);
      // virsh 9.0's iface-destroy reports failure even when it succeeded.
      return name !== "iface-destroy";
    },
  };
}

/** A step of the network configuration transaction. */
function transaction(name: string, act: (c: Client) => Promise<unknown>, verb: string, done: string): VirshCommand {
  return {
    names: [name],
    options: [],
    async run(ctx) {
      const c = await ctx.client();
      await step(`Failed to ${verb} network config change transaction`, () => act(c));
      ctx.printExtra(`Network config change transaction ${done}\n`);
    },
  };
}

export const commands: VirshCommand[] = [
  {
    names: ["iface-list"],
    options: [bool("inactive"), bool("all")],
    async run(ctx, opts) {
      exclusive(opts, "all", "inactive");
      let flags: number = VIR_CONNECT_LIST_INTERFACES_ACTIVE;
      if (opts.bool("inactive")) flags = VIR_CONNECT_LIST_INTERFACES_INACTIVE;
      if (opts.bool("all")) flags = VIR_CONNECT_LIST_INTERFACES_INACTIVE | VIR_CONNECT_LIST_INTERFACES_ACTIVE;
      const c = await ctx.client();
      const { ifaces } = await step("Failed to list interfaces", () => c.connectListAllInterfaces({ need_results: 1, flags }));
      ifaces.sort((a, b) => caseCompare(a.name, b.name));
      const rows: string[][] = [];
      for (const iface of ifaces) {
        // virInterfaceIsActive's -1 (an error) is true in virsh's test, as in C.
        const active = await c.interfaceIsActive({ iface }).then((r) => r.active, () => -1);
        rows.push([iface.name, active ? "active" : "inactive", iface.mac]);
      }
      ctx.print(formatTable(["Name", "State", "MAC Address"], rows, !ctx.globals.quiet));
    },
  },
  {
    names: ["iface-name"],
    options: [IFACE],
    async run(ctx, opts) {
      const word = stringReq(opts, "interface")!;
      const c = await ctx.client();
      ctx.print(`${(await lookupIface(c, word, { name: false, mac: true })).name}\n`);
    },
  },
  {
    names: ["iface-mac"],
    options: [IFACE],
    async run(ctx, opts) {
      const word = stringReq(opts, "interface")!;
      const c = await ctx.client();
      ctx.print(`${(await lookupIface(c, word, { name: true, mac: false })).mac}\n`);
    },
  },
  {
    names: ["iface-dumpxml"],
    options: [IFACE, bool("inactive"), ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const flags = opts.bool("inactive") ? VIR_INTERFACE_XML_INACTIVE : 0;
      const word = stringReq(opts, "interface")!;
      const c = await ctx.client();
      const iface = await lookupIface(c, word);
      return dumpXml(ctx, opts, async () => (await c.interfaceGetXmlDesc({ iface, flags })).xml);
    },
  },
  {
    names: ["iface-define"],
    options: [{ name: "file", type: "data", required: true }, bool("validate")],
    async run(ctx, opts) {
      const from = stringReq(opts, "file")!;
      const flags = opts.bool("validate") ? VIR_INTERFACE_DEFINE_VALIDATE : 0;
      const xml = await readXmlFile(from);
      const c = await ctx.client();
      const { iface } = await step(`Failed to define interface from ${from}`, () => c.interfaceDefineXml({ xml, flags }));
      ctx.printExtra(`Interface ${iface.name} defined from ${from}\n`);
    },
  },
  simple("iface-undefine", (c, iface) => c.interfaceUndefine({ iface }), "Failed to undefine interface", "undefined"),
  simple("iface-start", (c, iface) => c.interfaceCreate({ iface, flags: 0 }), "Failed to start interface", "started"),
  simple("iface-destroy", (c, iface) => c.interfaceDestroy({ iface, flags: 0 }), "Failed to destroy interface", "destroyed"),
  {
    names: ["iface-edit"],
    options: [IFACE],
    async run(ctx, opts) {
      const word = stringReq(opts, "interface")!;
      const c = await ctx.client();
      const iface = await lookupIface(c, word);
      let edited: string | null = null;
      const outcome = await editLoop(ctx, {
        get: async () => (await c.interfaceGetXmlDesc({ iface, flags: VIR_INTERFACE_XML_INACTIVE })).xml,
        save: async (xml) => void (edited = (await c.interfaceDefineXml({ xml, flags: 0 })).iface.name),
      });
      if (outcome === "unchanged") {
        ctx.printExtra(`Interface ${iface.name} XML configuration not changed.\n`);
        return;
      }
      // After a failure virsh goes on as if the define had worked, with no interface to name.
      ctx.printExtra(`Interface ${edited ?? "(null)"} XML configuration edited.\n`);
    },
  },
  transaction("iface-begin", (c) => c.interfaceChangeBegin({ flags: 0 }), "begin", "started"),
  transaction("iface-commit", (c) => c.interfaceChangeCommit({ flags: 0 }), "commit", "committed"),
  transaction("iface-rollback", (c) => c.interfaceChangeRollback({ flags: 0 }), "rollback", "rolled back"),
];
