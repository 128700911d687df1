// virsh-domain.c: what reaches inside a running guest (most through its
// agent): domfsfreeze, domfsthaw, domfsinfo, domfstrim, set-user-password,
// guestvcpus, inject-nmi, send-key, send-process-signal, dompmsuspend,
// dompmwakeup, guest-agent-timeout.

import { formatTable } from "../format/admin.js";
import { CommandFailed, uintOpt, ullOpt, type VirshCommand } from "../vsh.js";
import { CODESETS, keycodeByName } from "./dom-keys.js";
import { DOMAIN, bool, clientError, intOpt, llOpt, nonEmpty } from "./dom-opts.js";
import { lookupDomain, step, typedParamValue } from "./util.js";
import {
  VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK,
  VIR_DOMAIN_PASSWORD_ENCRYPTED,
  VIR_NODE_SUSPEND_TARGET_DISK,
  VIR_NODE_SUSPEND_TARGET_HYBRID,
  VIR_NODE_SUSPEND_TARGET_MEM,
} from "../../gen/friendly/constants.js";

/** dompmsuspend's targets. */
const SUSPEND_TARGETS: Record<string, number> = { mem: VIR_NODE_SUSPEND_TARGET_MEM, disk: VIR_NODE_SUSPEND_TARGET_DISK, hybrid: VIR_NODE_SUSPEND_TARGET_HYBRID };

const MOUNTPOINTS = { name: "mountpoint", type: "argv" } as const;

/** virDomainProcessSignal's names, by number (0 to 64). */
const SIGNALS = (
  "nop hup int quit ill trap abrt bus fpe kill usr1 segv usr2 pipe alrm term stkflt chld cont stop " +
  "tstp ttin ttou urg xcpu xfsz vtalrm prof winch poll pwr sys " +
  Array.from({ length: 33 }, (_, i) => `rt${i}`).join(" ")
).split(" ");

/** getSignalNumber: a number, or a name with or without "sig"/"sig_", any case; -1 where it is neither. */
function signalNumber(name: string): number {
  const lower = name.toLowerCase();
  if (/^[ \t\n\v\f\r]*[+-]?\d+$/.test(lower)) {
    const n = Number(lower.trim());
    if (n >= -(2 ** 31) && n < 2 ** 31) return n;
  }
  const bare = lower.startsWith("sig_") ? lower.slice(4) : lower.startsWith("sig") ? lower.slice(3) : lower;
  return SIGNALS.indexOf(bare);
}

/** VIR_DOMAIN_SEND_KEY_MAX_KEYS. */
const MAX_KEYS = 16;

/** virshKeyCodeGetInt: a keycode as a number (decimal, 0x hex or 0 octal) up to 0xffff; -1 where it is none. */
function keycodeNumber(word: string): number {
  const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(word);
  if (m === null) return -1;
  const d = m[1]!;
  const n = /^0[xX]/.test(d) ? Number(d) : d.length > 1 && d.startsWith("0") ? Number.parseInt(d.slice(1), 8) : Number(d);
  return n <= 0xffff ? n : -1;
}

export const commands: VirshCommand[] = [
  {
    names: ["domfsfreeze"],
    options: [DOMAIN, MOUNTPOINTS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { filesystems } = await step("Unable to freeze filesystems", () => c.domainFsfreeze({ dom, mountpoints: opts.argv("mountpoint"), flags: 0 }));
      ctx.printExtra(`Froze ${filesystems} filesystem(s)\n`);
    },
  },
  {
    names: ["domfsthaw"],
    options: [DOMAIN, MOUNTPOINTS],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { filesystems } = await step("Unable to thaw filesystems", () => c.domainFsthaw({ dom, mountpoints: opts.argv("mountpoint"), flags: 0 }));
      ctx.printExtra(`Thawed ${filesystems} filesystem(s)\n`);
    },
  },
  {
    names: ["domfsinfo"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const { info } = await step("Unable to get filesystem information", () => c.domainGetFsinfo({ dom, flags: 0 }));
      if (info.length === 0) {
        ctx.printExtra("No filesystems are mounted in the domain");
        return;
      }
      const rows = info.map((fs) => [fs.mountpoint, fs.name, fs.fstype, fs.dev_aliases.join(",")]);
      ctx.print(formatTable(["Mountpoint", "Name", "Type", "Target"], rows, !ctx.globals.quiet));
    },
  },
  {
    names: ["domfstrim"],
    options: [DOMAIN, { name: "minimum", type: "int" }, { name: "mountpoint", type: "string" }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const minimum = ullOpt(opts, "minimum") ?? 0n;
      const mountPoint = nonEmpty(opts, "mountpoint") ?? null;
      await step("Unable to invoke fstrim", () => c.domainFstrim({ dom, mountPoint, minimum, flags: 0 }));
    },
  },
  {
    names: ["set-user-password"],
    options: [DOMAIN, { name: "user", type: "data", required: true }, { name: "password", type: "data", required: true }, bool("encrypted")],
    async run(ctx, opts) {
      const flags = opts.bool("encrypted") ? VIR_DOMAIN_PASSWORD_ENCRYPTED : 0;
      const user = nonEmpty(opts, "user")!;
      const password = nonEmpty(opts, "password")!;
      const c = await ctx.client();
      const name = opts.string("domain")!;
      const dom = await lookupDomain(c, name);
      await c.domainSetUserPassword({ dom, user, password, flags });
      ctx.printExtra(`Password set successfully for ${user} in ${name}`);
    },
  },
  {
    names: ["guestvcpus"],
    options: [DOMAIN, { name: "cpulist", type: "string" }, bool("enable"), bool("disable")],
    async run(ctx, opts) {
      const enable = opts.bool("enable");
      const disable = opts.bool("disable");
      if (enable && disable) throw new CommandFailed(["Options --enable and --disable are mutually exclusive"]);
      for (const o of ["enable", "disable"]) {
        if (opts.bool(o) && opts.string("cpulist") === undefined) throw new CommandFailed([`Option --cpulist is required by option --${o}`]);
      }
      const cpulist = nonEmpty(opts, "cpulist");
      if (cpulist !== undefined && !enable && !disable) throw new CommandFailed(["One of options --enable or --disable is required by option --cpulist"]);
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      if (cpulist !== undefined) {
        await c.domainSetGuestVcpus({ dom, cpumap: cpulist, state: enable ? 1 : 0, flags: 0 });
        return;
      }
      const { params } = await c.domainGetGuestVcpus({ dom, flags: 0 });
      for (const p of params) ctx.print(`${p.field.padEnd(15)}: ${typedParamValue(p.value)}\n`);
    },
  },
  {
    names: ["send-key"],
    options: [DOMAIN, { name: "codeset", type: "string", named: true }, { name: "holdtime", type: "int", named: true }, { name: "keycode", type: "argv", required: true }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      let name = opts.string("codeset") || "linux";
      const holdtime = uintOpt(opts, "holdtime") ?? 0;
      if (name === "rfb") name = "qnum";
      const codeset = CODESETS[name];
      if (codeset === undefined) throw new CommandFailed([`unknown codeset: '${name}'`]);
      const keycodes: number[] = [];
      for (const word of opts.argv("keycode")) {
        if (keycodes.length === MAX_KEYS) throw new CommandFailed(["too many keycodes"]);
        let code = keycodeNumber(word);
        if (code < 0) code = keycodeByName(codeset, word);
        if (code < 0) throw new CommandFailed([`invalid keycode: '${word}'`]);
        keycodes.push(code);
      }
      await c.domainSendKey({ dom, codeset, holdtime, keycodes, flags: 0 });
    },
  },
  {
    names: ["send-process-signal"],
    options: [DOMAIN, { name: "pid", type: "data", required: true }, { name: "signame", type: "data", required: true }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const pid_value = llOpt(opts, "pid")!;
      const signame = nonEmpty(opts, "signame")!;
      const signum = signalNumber(signame);
      if (signum < 0) throw new CommandFailed([`malformed signal name: ${signame}`]);
      if (pid_value === 0n) throw clientError("pid_value in virDomainSendProcessSignal must not be zero");
      await c.domainSendProcessSignal({ dom, pid_value, signum, flags: 0 });
    },
  },
  {
    names: ["dompmsuspend"],
    options: [DOMAIN, { name: "target", type: "data", required: true }, { name: "duration", type: "int", named: true }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const duration = ullOpt(opts, "duration") ?? 0n;
      const target = SUSPEND_TARGETS[nonEmpty(opts, "target")!];
      if (target === undefined) throw new CommandFailed(["Invalid target"]);
      await step(`Domain '${dom.name}' could not be suspended`, () => c.domainPmSuspendForDuration({ dom, target, duration, flags: 0 }));
      ctx.printExtra(`Domain '${dom.name}' successfully suspended`);
    },
  },
  {
    names: ["dompmwakeup"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      await step(`Domain '${dom.name}' could not be woken up`, () => c.domainPmWakeup({ dom, flags: 0 }));
      ctx.printExtra(`Domain '${dom.name}' successfully woken up`);
    },
  },
  {
    names: ["guest-agent-timeout"],
    options: [DOMAIN, { name: "timeout", type: "int", named: true }],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      const timeout = intOpt(opts, "timeout") ?? VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK;
      await c.domainAgentSetResponseTimeout({ dom, timeout, flags: 0 });
    },
  },
  {
    names: ["inject-nmi"],
    options: [DOMAIN],
    async run(ctx, opts) {
      const c = await ctx.client();
      const dom = await lookupDomain(c, opts.string("domain")!);
      await c.domainInjectNmi({ dom, flags: 0 });
    },
  },
];
