// The one command model of the CLI: virsh's commands, virt-admin's and our
// own are each a Command, their options OptDefs as vsh declares them
// (tools/vsh.h, vshCmdOptDef), read by the one parser (parse.ts). Where a
// command runs and what it may print (its context) is its family's.

import type { GlobalOptions } from "./globals.js";

/**
 * vsh's option kinds: a flag, a value (`int` is a value shown as
 * `<number>`), a data option (also by position), the rest of the words
 * (argv), or another name for an option.
 */
export type OptType = "bool" | "string" | "int" | "data" | "argv" | "alias";

export interface OptDef {
  name: string;
  type: OptType;
  /** VSH_OFLAG_REQ: the command cannot run without it. */
  required?: boolean;
  /** VSH_OFLAG_REQ_OPT: only as `--name value`, never by position. */
  named?: boolean;
  /** For an alias: the option it stands for (`name=value` makes a bool an option with that value). */
  alias?: string;
  /** A one-letter spelling (`-h`, `-c URI`), for our own commands: virsh's take none. */
  short?: string;
  /**
   * For an argv option: the first word it takes ends the options, as
   * getopt's "+" does (`admin -c URI srv-list --server x`: the rest is the
   * admin command's).
   */
  rest?: boolean;
}

/** `-h`, `--help`: our own commands' help (every command takes `--help`; virsh's take no `-h`). */
export const HELP: OptDef = { name: "help", type: "bool", short: "h" };

/** A command's parsed options: bools present, values, and the words of an argv option. */
export class Opts {
  constructor(private readonly values: ReadonlyMap<string, string[]>) {}
  bool(name: string): boolean {
    return this.values.has(name);
  }
  string(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }
  argv(name: string): string[] {
    return this.values.get(name) ?? [];
  }
}

/**
 * A command of any family. `C` is what its family gives it to run with
 * (virsh's VshContext, virt-admin's connection, our globals); it resolves
 * false where the command failed after printing its own errors.
 */
export interface Command<C> {
  /** The first is the name messages use (vsh's way), the rest aliases. */
  names: readonly string[];
  options: readonly OptDef[];
  /** What `--help` prints; without it, a synopsis made from the options. */
  help?: string;
  run(ctx: C, opts: Opts): Promise<boolean | void>;
}

/** What our own commands run with. */
export interface OwnContext {
  globals: GlobalOptions;
}

export type OwnCommand = Command<OwnContext>;

/** The synopsis of a command, as vsh's help prints it (its descriptions are its own, and long). */
function synopsis(def: Command<never>): string {
  const shown = def.options.filter((o) => o.type !== "alias" && o.name !== "help");
  const words = shown.map((o) => {
    const w = o.type === "bool" ? `--${o.name}` : o.type === "data" || o.type === "argv" ? `<${o.name}>` : `--${o.name} <${o.type === "int" ? "number" : "string"}>`;
    return o.required === true ? w : `[${w}]`;
  });
  return `  SYNOPSIS\n    ${[def.names[0]!, ...words].join(" ")}\n`;
}

/** What `--help` prints for a command. */
export function helpText(def: Command<never>): string {
  return def.help === undefined ? synopsis(def) : `${def.help}\n`;
}

/** Who a command imitates: virsh (its words and output), virt-admin (`admin COMMAND`), or nobody (our own). */
export type Family = "virsh" | "admin" | "own";

/** A module of commands, imported only when one of them runs. */
export type CommandModule<C> = () => Promise<{ commands: readonly Command<C>[] }>;

/**
 * A command as the registry knows it without loading it: enough to list
 * it in `--help`, to tell which family runs it, and to load it.
 */
export interface CommandEntry<C> {
  /** As the command's own `names`: the first is its name, the rest aliases. */
  names: readonly string[];
  family: Family;
  /** One line for the `--help` list (virsh's and virt-admin's own summaries for theirs). */
  summary: string;
  /** Takes the global options after the command too (`list --all -c URI`): it connects to a daemon. */
  connects: boolean;
  module: CommandModule<C>;
}

/** The command an entry names, from its module. */
export async function loadCommand<C>(entry: CommandEntry<C>): Promise<Command<C>> {
  const def = (await entry.module()).commands.find((c) => c.names[0] === entry.names[0]);
  if (def === undefined) throw new Error(`no command '${entry.names[0]}' in its module`);
  return def;
}

/** The entry of a table that a name (or an alias) means. */
export function findEntry<C>(table: readonly CommandEntry<C>[], name: string): CommandEntry<C> | undefined {
  return table.find((e) => e.names.includes(name));
}

/** A parser lookup over one family's table. */
export function lookupIn<C>(table: readonly CommandEntry<C>[]): (name: string) => Promise<Command<C> | undefined> {
  return async (name) => {
    const entry = findEntry(table, name);
    return entry === undefined ? undefined : loadCommand(entry);
  };
}

/** The `--help` list of a table: each name (aliases in parentheses) and its summary. */
export function listCommands(table: readonly CommandEntry<unknown>[]): string {
  const names = table.map((e) => (e.names.length > 1 ? `${e.names[0]} (${e.names.slice(1).join(", ")})` : e.names[0]!));
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return table.map((e, i) => `  ${names[i]!.padEnd(width)}${e.summary}`).join("\n");
}
