// virsh-domain.c's QEMU-only commands, over the qemu protocol program
// (client.qemu): qemu-monitor-command, qemu-monitor-event,
// qemu-agent-command, qemu-attach.

import { fstatSync } from "node:fs";
import type { LibvirtEvent } from "../../events/types.js";
import type { OptDef, Opts } from "../command.js";
import { formatVirsh } from "../format/virsh-events.js";
import { CommandFailed, exclusive, uintOpt, type VirshCommand } from "../vsh.js";
import { DOMAIN, bool, intOpt } from "./dom-opts.js";
import { timeoutMs, watchEvents } from "./event-watch.js";
import { formatJson, JsonParseError, type JsonValue, member, parseJson, tryParseJson } from "./qemu-json.js";
import { lookupDomain, stringReq } from "./util.js";

/** VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP. */
const HMP = 1;
/** VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT, _NOWAIT, _BLOCK. */
const AGENT_DEFAULT = -1;
const AGENT_NOWAIT = 0;
const AGENT_BLOCK = -2;

const CMD: OptDef = { name: "cmd", type: "argv", required: true };

/** The library's error for a JSON text it refused. */
const jsonError = (e: JsonParseError): Error => new Error(`internal error: ${e.message}`);

/**
 * cmdQemuMonitorCommandQMPWrap: the words as they are when they make a
 * JSON object; else the first is the command and the rest its arguments,
 * as an object already or as members to wrap in braces.
 */
function qmpCommand(words: readonly string[]): string {
  const full = words.join(" ");
  if (tryParseJson(full)?.type === "object") return full;
  const rest = words.slice(1);
  let args: JsonValue | null = null;
  if (rest.length > 0) {
    const given = tryParseJson(rest.join(" "));
    if (given?.type === "object") args = given;
    else {
      try {
        args = parseJson(`{${rest.join(",")}}`);
      } catch (e) {
        if (!(e instanceof JsonParseError)) throw e;
        throw new CommandFailed([`failed to wrap arguments '${rest.join(" ")}' into a QMP command wrapper`], { cause: jsonError(e) });
      }
    }
  }
  const pairs: [string, JsonValue][] = [["execute", { type: "string", value: words[0]! }]];
  if (args !== null) pairs.push(["arguments", args]);
  return formatJson({ type: "object", pairs }, false);
}

/**
 * virshFetchPassFdsList, then the library's dup of each: a list that does
 * not parse, or a descriptor not open, fails as in virsh. Passing open
 * ones is beyond this client, which sends no descriptors over any socket.
 */
function refusePassFds(opts: Opts): void {
  const list = opts.string("pass-fds");
  if (list === undefined || list === "") return;
  const fds = list.split(",").map((w) => {
    const n = /^[ \t\n\v\f\r]*[+-]?\d+$/.test(w) ? Number(w.trim()) : NaN;
    if (!(n >= -(2 ** 31) && n < 2 ** 31)) throw new CommandFailed([`Unable to parse FD number '${w}'`]);
    return n;
  });
  for (const fd of fds) {
    try {
      if (fd < 0) throw new Error();
      fstatSync(fd);
    } catch {
      throw new CommandFailed([], { cause: new Error(`Cannot duplicate FD ${fd}: Bad file descriptor`) });
    }
  }
  throw new CommandFailed(["--pass-fds is not supported by this virsh: it passes no file descriptors"]);
}

/** virTrimSpaces. */
const trimSpaces = (s: string): string => s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");

const monitorCommand: VirshCommand = {
  names: ["qemu-monitor-command"],
  options: [DOMAIN, bool("hmp"), bool("pretty"), bool("return-value"), { name: "pass-fds", type: "string", named: true }, CMD],
  async run(ctx, opts) {
    exclusive(opts, "hmp", "pretty");
    exclusive(opts, "hmp", "return-value");
    const pretty = opts.bool("pretty");
    const returnValue = opts.bool("return-value");
    const c = await ctx.client();
    const dom = await lookupDomain(c, opts.string("domain")!);
    const hmp = opts.bool("hmp");
    const words = opts.argv("cmd");
    const cmd = hmp ? words.join(" ") : qmpCommand(words);
    refusePassFds(opts);
    const { result } = await c.qemu.domainMonitorCommand({ dom, cmd, flags: hmp ? HMP : 0 });
    let json: JsonValue | null = null;
    if (returnValue || pretty) {
      try {
        json = parseJson(result);
      } catch (e) {
        if (!(e instanceof JsonParseError)) throw e;
        if (returnValue) throw new CommandFailed(["failed to parse JSON returned by qemu"], { cause: jsonError(e) });
      }
    }
    if (json === null) {
      ctx.print(`${result}\n`);
      return;
    }
    const shown = returnValue ? member(json, "return") : json;
    if (shown === undefined) throw new CommandFailed(["'return' member missing"]);
    ctx.print(trimSpaces(formatJson(shown, pretty)));
  },
};

const monitorEvent: VirshCommand = {
  names: ["qemu-monitor-event"],
  options: [
    { name: "domain", type: "string" },
    { name: "event", type: "string" },
    bool("pretty"),
    bool("loop"),
    { name: "timeout", type: "int" },
    bool("regex"),
    bool("no-case"),
    bool("timestamp"),
  ],
  async run(ctx, opts) {
    const timeout = timeoutMs(opts);
    const event = stringReq(opts, "event") ?? null;
    const c = await ctx.client();
    const filter = opts.bool("domain") ? await lookupDomain(c, opts.string("domain")!) : null;
    const pretty = opts.bool("pretty");
    // --pretty: details that parse are printed beautified (yajl's trailing newline and all).
    const reshape = (e: LibvirtEvent): LibvirtEvent => {
      if (!pretty || e.family !== "qemu" || e.data.details === null) return e;
      const parsed = tryParseJson(e.data.details);
      return parsed === null ? e : { ...e, data: { ...e.data, details: formatJson(parsed, true) } };
    };
    const count = await watchEvents(ctx, {
      loop: opts.bool("loop"),
      timeout,
      line: (e) => formatVirsh(reshape(e), { timestamp: opts.bool("timestamp") }),
      subscribe: (deliver) => c.events.subscribe("qemu", "monitor", deliver, { filter, qemuEvent: event, regex: opts.bool("regex"), nocase: opts.bool("no-case") }),
    });
    return count > 0;
  },
};

const agentCommand: VirshCommand = {
  names: ["qemu-agent-command"],
  options: [DOMAIN, { name: "timeout", type: "int", named: true }, bool("async"), bool("block"), bool("pretty"), CMD],
  async run(ctx, opts) {
    const c = await ctx.client();
    const dom = await lookupDomain(c, opts.string("domain")!);
    const cmd = opts.argv("cmd").join(" ");
    const given = intOpt(opts, "timeout");
    let timeout = given ?? AGENT_DEFAULT;
    if (given !== undefined && given < 1) throw new CommandFailed(["timeout must be positive"]);
    let chosen = given === undefined ? 0 : 1;
    if (opts.bool("async")) {
      timeout = AGENT_NOWAIT;
      chosen++;
    }
    if (opts.bool("block")) {
      timeout = AGENT_BLOCK;
      chosen++;
    }
    if (chosen > 1) throw new CommandFailed(["timeout, async and block options are exclusive"]);
    let { result } = await c.qemu.domainAgentCommand({ dom, cmd, timeout, flags: 0 });
    if (result === null) throw new CommandFailed([]);
    if (opts.bool("pretty")) {
      const parsed = tryParseJson(result);
      if (parsed !== null) result = formatJson(parsed, true);
    }
    ctx.print(`${result}\n`);
  },
};

const attach: VirshCommand = {
  names: ["qemu-attach"],
  options: [{ name: "pid", type: "data", required: true }],
  async run(ctx, opts) {
    const pid_value = uintOpt(opts, "pid")!;
    const c = await ctx.client();
    const { dom } = await c.qemu.domainAttach({ pid_value, flags: 0 }).catch((e: unknown) => {
      throw new CommandFailed([`Failed to attach to pid ${pid_value}`], { cause: e });
    });
    ctx.printExtra(`Domain '${dom.name}' attached to pid ${pid_value}\n`);
  },
};

export const commands: VirshCommand[] = [monitorCommand, monitorEvent, agentCommand, attach];
