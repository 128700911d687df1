// virsh's commands about the shell itself (tools/vsh.c, tools/virsh.c):
// echo, pwd, cd, quit, exit, connect. There is no interactive shell here,
// so cd answers as virsh does outside one; quit and exit end a one-line
// script (vsh.ts stops after them, as vshCommandRun does).

import { CommandFailed, exclusive, type VirshCommand } from "../vsh.js";

/** virBufferEscapeShell: as is unless a shell would read it otherwise, else in single quotes. */
export function shellQuote(s: string): string {
  if (s === "") return "''";
  if (!/[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/.test(s)) return s;
  return `'${s.replace(/'/g, "'\\''")}'`;
}

const XML_ENTITIES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" };

/** virBufferEscapeString: the five entities, and control characters other than tab, newline and return dropped. */
export function xmlEscape(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids.
  return s.replace(/[<>&"']|[\x01-\x08\x0b\x0c\x0e-\x19]/g, (c) => XML_ENTITIES[c] ?? "");
}

/** vshStringToArray: split at commas, `,,` standing for a comma. */
export function splitCommas(s: string): string[] {
  if (s === "") return [];
  const parts = s.split(",");
  const out = [parts[0]!];
  let joinNext = false;
  for (const part of parts.slice(1)) {
    if (joinNext) {
      out[out.length - 1] += `,${part}`;
      joinNext = false;
    } else if (part === "") {
      joinNext = true;
    } else {
      out.push(part);
    }
  }
  if (joinNext) out.push("");
  return out;
}

const echo: VirshCommand = {
  names: ["echo"],
  options: [
    { name: "shell", type: "bool" },
    { name: "xml", type: "bool" },
    { name: "split", type: "bool" },
    { name: "err", type: "bool" },
    { name: "string", type: "argv" },
  ],
  async run(ctx, opts) {
    exclusive(opts, "shell", "xml");
    exclusive(opts, "shell", "split");
    exclusive(opts, "xml", "split");
    const words = opts.argv("string");
    if (words.length === 0) return;
    const each = (w: string): string =>
      opts.bool("xml") ? xmlEscape(w) : opts.bool("shell") ? shellQuote(w) : opts.bool("split") ? splitCommas(w).map((p) => `${p}\n`).join("") : w;
    // Each word and a blank, the last blank taken off again (virBufferTrim).
    const text = words.map((w) => `${each(w)} `).join("").slice(0, -1);
    if (opts.bool("err")) ctx.error(text);
    else ctx.print(text);
  },
};

const pwd: VirshCommand = {
  names: ["pwd"],
  options: [],
  async run(ctx) {
    ctx.print(`${process.cwd()}\n`);
  },
};

const cd: VirshCommand = {
  names: ["cd"],
  options: [{ name: "dir", type: "string" }],
  async run() {
    // Only virsh's interactive shell changes its directory; a command line never is one here.
    throw new CommandFailed(["cd: command valid only in interactive mode"]);
  },
};

const quit: VirshCommand = { names: ["quit"], options: [], async run() {} };
const exit: VirshCommand = { names: ["exit"], options: [], async run() {} };

const connect: VirshCommand = {
  names: ["connect"],
  options: [
    { name: "name", type: "string" },
    { name: "readonly", type: "bool" },
  ],
  async run(ctx, opts) {
    if (ctx.reconnect === undefined) throw new CommandFailed(["connect: this command runner cannot replace its connection"]);
    await ctx.reconnect(opts.string("name"), opts.bool("readonly"));
  },
};

export const commands: VirshCommand[] = [echo, pwd, cd, quit, exit, connect];
