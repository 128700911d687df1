// virsh-nodedev.c: listing node devices (as a list or virsh's tree), their
// XML and facts, and their life cycle (create, destroy, define, undefine,
// start, autostart); detach, reattach and reset for completeness.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullNodeDevice } from "../../gen/remote_protocol.js";
import * as K from "../../gen/friendly/constants.js";
import type { OptDef } from "../command.js";
import { CommandFailed, type VirshCommand, type VshContext } from "../vsh.js";
import { dumpXml, XPATH_OPTIONS } from "./pool-xpath.js";
import { caseCompare, readXmlFile, step, stringReq, stringToArray } from "./util.js";

const DEVICE: OptDef = { name: "device", type: "data", required: true };
const FILE: OptDef = { name: "file", type: "data", required: true };
const bool = (name: string): OptDef => ({ name, type: "bool" });

/** virNodeDevCapType's names and the list flag virsh gives each. */
const CAPS = new Map<string, number>([
  ["system", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM],
  ["pci", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV],
  ["usb_device", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV],
  ["usb", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_INTERFACE],
  ["net", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET],
  ["scsi_host", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST],
  ["scsi_target", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_TARGET],
  ["scsi", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI],
  ["storage", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE],
  ["fc_host", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST],
  ["vports", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS],
  ["scsi_generic", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_GENERIC],
  ["drm", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_DRM],
  ["mdev_types", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES],
  ["mdev", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV],
  ["ccw", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_CCW_DEV],
  ["css", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_CSS_DEV],
  ["vdpa", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VDPA],
  ["ap_card", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_CARD],
  ["ap_queue", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_QUEUE],
  ["ap_matrix", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_MATRIX],
  ["vpd", K.VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPD],
]);

/** virValidateWWN: 16 hex digits, `0x` allowed in front; its error is libvirt's, printed after virsh's lines. */
function validWwn(wwn: string): boolean {
  return /^(?:0x)?[0-9a-fA-F]{16}$/.test(wwn);
}

/** vshFindNodeDevice: a name, or a SCSI host's `wwnn,wwpn` pair. */
async function findDevice(c: Client, value: string): Promise<RemoteNonnullNodeDevice> {
  let cause: unknown;
  if (value.includes(",")) {
    const pair = stringToArray(value);
    if (pair.length !== 2) throw new CommandFailed([`Malformed device value '${value}'`]);
    const bad = pair.find((w) => !validWwn(w));
    if (bad !== undefined) throw new CommandFailed([], { cause: new Error(`internal error: Malformed wwn: ${bad}`) });
    try {
      return (await c.nodeDeviceLookupScsiHostByWwn({ wwnn: pair[0]!, wwpn: pair[1]!, flags: 0 })).dev;
    } catch (e) {
      cause = e;
    }
  } else {
    try {
      return (await c.nodeDeviceLookupByName({ name: value })).dev;
    } catch (e) {
      cause = e;
    }
  }
  throw new CommandFailed([`Could not find matching device '${value}'`], { cause });
}

/** The plain lookup by name that detach, reattach, reset and start use. */
async function byName(c: Client, name: string): Promise<RemoteNonnullNodeDevice> {
  return step(`Could not find matching device '${name}'`, async () => (await c.nodeDeviceLookupByName({ name })).dev);
}

/** vshTreePrint: each device under its parent, with virsh's rules and blank lines. */
function printTree(ctx: VshContext, names: readonly string[], parents: readonly (string | null)[]): void {
  let indent = "";
  const walk = (devid: number, lastdev: number, root: boolean): void => {
    const dev = names[devid]!;
    ctx.print(`${indent}${root ? "" : "+- "}${dev}\n`);
    if (!root) indent += `${devid === lastdev ? " " : "|"} `;
    let nextlast = -1;
    parents.forEach((p, i) => {
      if (p === dev) nextlast = i;
    });
    if (nextlast !== -1) ctx.print(`${indent}  |\n`);
    indent += "  ";
    parents.forEach((p, i) => {
      if (p === dev) walk(i, nextlast, false);
    });
    if (indent.endsWith("  ")) indent = indent.slice(0, -2);
    if (nextlast === -1 && devid === lastdev) ctx.print(`${indent}\n`);
    if (!root) indent = indent.slice(0, -2);
  };
  parents.forEach((p, i) => {
    if (p === null) walk(i, i, true);
  });
}

/** A command that looks a device up by name, does one thing, and says so. */
function simple(name: string, act: (c: Client, dev: RemoteNonnullNodeDevice) => Promise<unknown>, done: string, failed: string, options: OptDef[] = [DEVICE]): VirshCommand {
  return {
    names: [name],
    options,
    async run(ctx, opts) {
      const word = stringReq(opts, "device")!;
      const c = await ctx.client();
      const dev = await byName(c, word);
      await step(`${failed} ${word}`, () => act(c, dev));
      ctx.printExtra(`Device ${word} ${done}\n`);
    },
  };
}

export const commands: VirshCommand[] = [
  {
    names: ["nodedev-list"],
    options: [bool("tree"), { name: "cap", type: "string" }, bool("inactive"), bool("all")],
    async run(ctx, opts) {
      const tree = opts.bool("tree");
      const inactive = opts.bool("inactive");
      const all = opts.bool("all");
      // vshCommandOptStringQuiet: an empty --cap is as good as none.
      const capText = opts.string("cap") || undefined;
      const caps = capText === undefined ? [] : stringToArray(capText);
      if (all && inactive) throw new CommandFailed(["Option --all is incompatible with --inactive"]);
      if (tree && (capText !== undefined || inactive)) throw new CommandFailed(["Option --tree is incompatible with --cap and --inactive"]);
      let flags = 0;
      for (const cap of caps) {
        const f = CAPS.get(cap);
        if (f === undefined) throw new CommandFailed(["Invalid capability type"]);
        flags |= f;
      }
      if (inactive || all) flags |= K.VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE;
      if (!inactive) flags |= K.VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE;
      const c = await ctx.client();
      const { devices } = await step("Failed to list node devices", () => c.connectListAllNodeDevices({ need_results: 1, flags: flags >>> 0 }));
      const names = devices.map((d) => d.name).sort(caseCompare);
      if (!tree) {
        for (const n of names) ctx.print(`${n}\n`);
        return;
      }
      const parents: (string | null)[] = [];
      for (const name of names) {
        parents.push(name === "computer" ? null : await c.nodeDeviceGetParent({ name }).then((r) => r.parentName, () => null));
      }
      printTree(ctx, names, parents);
    },
  },
  {
    names: ["nodedev-dumpxml"],
    options: [DEVICE, ...XPATH_OPTIONS],
    async run(ctx, opts) {
      const word = stringReq(opts, "device")!;
      // vshCommandOptStringQuiet: an empty --xpath fails the command without a word.
      const xpath = opts.string("xpath");
      if (xpath === "") return false;
      const c = await ctx.client();
      const dev = await findDevice(c, word);
      return dumpXml(ctx, opts, async () => (await c.nodeDeviceGetXmlDesc({ name: dev.name, flags: 0 })).xml);
    },
  },
  {
    names: ["nodedev-info"],
    options: [DEVICE],
    async run(ctx, opts) {
      const word = stringReq(opts, "device")!;
      const c = await ctx.client();
      const { name } = await findDevice(c, word);
      const parent = await c.nodeDeviceGetParent({ name }).then((r) => r.parentName, () => null);
      // virNodeDeviceIsActive's -1 (an error) is true in virsh's test, as in C.
      const active = await c.nodeDeviceIsActive({ name }).then((r) => r.active, () => -1);
      const persistent = await c.nodeDeviceIsPersistent({ name }).then((r) => r.persistent, () => -1);
      const autostart = await c.nodeDeviceGetAutostart({ name }).then((r) => (r.autostart ? "yes" : "no"), () => "no autostart");
      const row = (label: string, value: string): void => ctx.print(`${label.padEnd(15)} ${value}\n`);
      row("Name:", name);
      row("Parent:", parent ?? "");
      row("Active:", active ? "yes" : "no");
      row("Persistent:", persistent ? "yes" : "no");
      row("Autostart:", autostart);
    },
  },
  {
    names: ["nodedev-create"],
    options: [FILE, bool("validate")],
    async run(ctx, opts) {
      const from = stringReq(opts, "file")!;
      const xml_desc = await readXmlFile(from);
      const flags = opts.bool("validate") ? K.VIR_NODE_DEVICE_CREATE_XML_VALIDATE : 0;
      const c = await ctx.client();
      const { dev } = await step(`Failed to create node device from ${from}`, () => c.nodeDeviceCreateXml({ xml_desc, flags }));
      ctx.printExtra(`Node device ${dev.name} created from ${from}\n`);
    },
  },
  {
    names: ["nodedev-define"],
    options: [FILE, bool("validate")],
    async run(ctx, opts) {
      const from = stringReq(opts, "file")!;
      const xml_desc = await readXmlFile(from);
      const flags = opts.bool("validate") ? K.VIR_NODE_DEVICE_DEFINE_XML_VALIDATE : 0;
      const c = await ctx.client();
      const { dev } = await step(`Failed to define node device from '${from}'`, () => c.nodeDeviceDefineXml({ xml_desc, flags }));
      ctx.printExtra(`Node device '${dev.name}' defined from '${from}'\n`);
    },
  },
  {
    names: ["nodedev-destroy"],
    options: [{ name: "name", type: "alias", alias: "device" }, DEVICE],
    async run(ctx, opts) {
      const word = stringReq(opts, "device")!;
      const c = await ctx.client();
      const { name } = await findDevice(c, word);
      await step(`Failed to destroy node device '${word}'`, () => c.nodeDeviceDestroy({ name }));
      ctx.printExtra(`Destroyed node device '${word}'\n`);
    },
  },
  {
    names: ["nodedev-undefine"],
    options: [DEVICE],
    async run(ctx, opts) {
      const word = stringReq(opts, "device")!;
      const c = await ctx.client();
      const { name } = await findDevice(c, word);
      await step(`Failed to undefine node device '${word}'`, () => c.nodeDeviceUndefine({ name, flags: 0 }));
      ctx.printExtra(`Undefined node device '${word}'\n`);
    },
  },
  simple("nodedev-start", (c, { name }) => c.nodeDeviceCreate({ name, flags: 0 }), "started", "Failed to start device"),
  {
    names: ["nodedev-autostart"],
    options: [DEVICE, bool("disable")],
    async run(ctx, opts) {
      const word = stringReq(opts, "device")!;
      const c = await ctx.client();
      const { name } = await findDevice(c, word);
      const autostart = opts.bool("disable") ? 0 : 1;
      const how = autostart ? "mark" : "unmark";
      await step(`failed to ${how} device ${word} as autostarted`, () => c.nodeDeviceSetAutostart({ name, autostart }));
      ctx.printExtra(`Device ${word} ${how}ed as autostarted\n`);
    },
  },
  {
    names: ["nodedev-detach", "nodedev-dettach"],
    options: [DEVICE, { name: "driver", type: "string" }],
    async run(ctx, opts) {
      const word = stringReq(opts, "device")!;
      const driverName = opts.string("driver");
      const c = await ctx.client();
      const { name } = await byName(c, word);
      // Without --driver, the old call (virNodeDeviceDettach, misspelled as in libvirt).
      await step(`Failed to detach device ${word}`, () => (driverName === undefined ? c.nodeDeviceDettach({ name }) : c.nodeDeviceDetachFlags({ name, driverName, flags: 0 })));
      ctx.printExtra(`Device ${word} detached\n`);
    },
  },
  simple("nodedev-reattach", (c, { name }) => c.nodeDeviceReAttach({ name }), "re-attached", "Failed to re-attach device"),
  simple("nodedev-reset", (c, { name }) => c.nodeDeviceReset({ name }), "reset", "Failed to reset device"),
];
