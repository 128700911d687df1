// virsh-domain.c's guestinfo: what the guest agent reports, one typed
// parameter a line.

import type { OptDef } from "../command.js";
import type { VirshCommand } from "../vsh.js";
import { domainWord } from "./monitor-opts.js";
import { lookupDomain, typedParamValue } from "./util.js";
import {
  VIR_DOMAIN_GUEST_INFO_DISKS,
  VIR_DOMAIN_GUEST_INFO_FILESYSTEM,
  VIR_DOMAIN_GUEST_INFO_HOSTNAME,
  VIR_DOMAIN_GUEST_INFO_INTERFACES,
  VIR_DOMAIN_GUEST_INFO_OS,
  VIR_DOMAIN_GUEST_INFO_TIMEZONE,
  VIR_DOMAIN_GUEST_INFO_USERS,
} from "../../gen/friendly/constants.js";

// guestinfo's options in virsh's order, each the kind of information it asks for (none: all of them).
const TYPES: readonly (readonly [string, number])[] = [
  ["user", VIR_DOMAIN_GUEST_INFO_USERS],
  ["os", VIR_DOMAIN_GUEST_INFO_OS],
  ["timezone", VIR_DOMAIN_GUEST_INFO_TIMEZONE],
  ["hostname", VIR_DOMAIN_GUEST_INFO_HOSTNAME],
  ["filesystem", VIR_DOMAIN_GUEST_INFO_FILESYSTEM],
  ["disk", VIR_DOMAIN_GUEST_INFO_DISKS],
  ["interface", VIR_DOMAIN_GUEST_INFO_INTERFACES],
];

const guestinfo: VirshCommand = {
  names: ["guestinfo"],
  options: [{ name: "domain", type: "data", required: true }, ...TYPES.map(([name]): OptDef => ({ name, type: "bool" }))],
  async run(ctx, opts) {
    let types = 0;
    for (const [name, flag] of TYPES) if (opts.bool(name)) types |= flag;
    const c = await ctx.client();
    const dom = await lookupDomain(c, domainWord(opts));
    const { params } = await c.domainGetGuestInfo({ dom, types, flags: 0 });
    for (const p of params) ctx.print(`${p.field.padEnd(20)}: ${typedParamValue(p.value)}\n`);
  },
};

export const commands: VirshCommand[] = [guestinfo];
