// Which virsh commands there are (virsh's own list), which ones a case
// counts for, and the tally the run ends with.

import { execFileSync } from "node:child_process";
import { VIRSH_COMMANDS } from "../src/cli/virsh/table.js";
import type { CaseGroup, VirshCase } from "./case.js";
import { cleanEnv } from "./spawn.js";

/** virsh's groups and their commands, as `virsh help` lists them (aliases are not listed). */
export interface VirshCatalog {
  /** Group name -> its help keyword ("Storage Pool" -> "pool") and commands. */
  readonly groups: ReadonlyMap<string, { keyword: string; commands: readonly string[] }>;
  readonly commands: ReadonlySet<string>;
}

/** Reads `virsh help` (it needs no connection), so the count follows the installed virsh rather than a number kept here. */
export function readVirshCatalog(virsh = "virsh"): VirshCatalog {
  return parseVirshHelp(execFileSync(virsh, ["help"], { encoding: "utf8", env: cleanEnv() }));
}

export function parseVirshHelp(text: string): VirshCatalog {
  const groups = new Map<string, { keyword: string; commands: string[] }>();
  let current: string[] | null = null;
  for (const line of text.split("\n")) {
    const head = /^ (\S.*?) \(help keyword '([^']+)'\):$/.exec(line);
    if (head !== null) {
      current = [];
      groups.set(head[1]!, { keyword: head[2]!, commands: current });
      continue;
    }
    const command = /^ {4}(\S+)\s/.exec(line);
    if (command !== null && current !== null) current.push(command[1]!);
  }
  const commands = new Set([...groups.values()].flatMap((g) => g.commands));
  if (commands.size === 0) throw new Error("`virsh help` listed no commands");
  return { groups, commands };
}

/** virsh's global options that take a value (`-k 5`), so that the command after them is found. */
const VALUED_GLOBALS = new Set(["-c", "--connect", "-d", "--debug", "-e", "--escape", "-k", "--keepalive-interval", "-K", "--keepalive-count", "-l", "--log"]);

/**
 * The command a case counts for: its `command` when given, else the first
 * word after virsh's global options (a one-line script's first word).
 */
export function caseCommand(c: VirshCase): string | undefined {
  if (c.command !== undefined) return c.command;
  for (let i = 0; i < c.args.length; i++) {
    const word = c.args[i]!;
    if (VALUED_GLOBALS.has(word)) {
      i++;
      continue;
    }
    if (word.startsWith("-")) continue;
    return word.trim().split(/[\s;]+/)[0];
  }
  return undefined;
}

/** Every name our registry knows (aliases too) -> the command's own name. */
export type Registry = ReadonlyMap<string, string>;

/** Our registry, src/cli/virsh/table.ts's VIRSH_COMMANDS. */
export function registryNames(): Registry {
  return new Map(VIRSH_COMMANDS.flatMap((e) => e.names.map((n) => [n, e.names[0]!] as const)));
}

/** Something wrong with the cases themselves, reported apart from the comparisons. */
export interface CaseProblem {
  readonly group: string;
  readonly message: string;
}

/** Cases and group lists that name no command of our registry (or no group of virsh's): reported, never skipped silently. */
export function checkGroups(groups: readonly CaseGroup[], registry: Registry, catalog: VirshCatalog): CaseProblem[] {
  const problems: CaseProblem[] = [];
  const groupNames = new Set([...catalog.groups.keys(), ...[...catalog.groups.values()].map((g) => g.keyword)]);
  for (const g of groups) {
    if (!groupNames.has(g.group)) problems.push({ group: g.group, message: `'${g.group}' is not one of virsh's groups` });
    for (const name of g.commands) {
      if (!registry.has(name)) problems.push({ group: g.group, message: `lists '${name}', which our registry does not implement` });
    }
    for (const c of g.cases) {
      const name = caseCommand(c);
      if (name === undefined) problems.push({ group: g.group, message: `a case names no command: ${JSON.stringify(c.args)}` });
      else if (!registry.has(name)) problems.push({ group: g.group, message: `a case runs '${name}', which our registry does not implement (give its command: to count it for one): ${JSON.stringify(c.args)}` });
    }
  }
  return problems;
}

/** Each implemented command's standing at the end of a run. */
export interface Tally {
  /** The commands that virsh lists (its count, aliases not counted). */
  readonly virshCount: number;
  readonly implemented: readonly string[];
  readonly identical: readonly string[];
  /** Implemented, and no case ran for it. */
  readonly noCase: readonly string[];
  /** Implemented, and some case of it differed (or is a known difference). */
  readonly differing: readonly string[];
  /** In our registry, not among virsh's commands. */
  readonly notVirsh: readonly string[];
}

/**
 * A command is identical when at least one case ran for it and every case
 * of it was identical; `results` maps each command to its cases' verdicts.
 */
export function tally(implemented: readonly string[], catalog: VirshCatalog, results: ReadonlyMap<string, readonly boolean[]>): Tally {
  const noCase = implemented.filter((n) => (results.get(n)?.length ?? 0) === 0);
  const identical = implemented.filter((n) => (results.get(n)?.length ?? 0) > 0 && results.get(n)!.every(Boolean));
  const differing = implemented.filter((n) => results.get(n)?.some((ok) => !ok) === true);
  return { virshCount: catalog.commands.size, implemented, identical, noCase, differing, notVirsh: implemented.filter((n) => !catalog.commands.has(n)) };
}

/**
 * Each command's cases' verdicts, under its own name (an alias's cases
 * count for the command). A case that differs exactly as its byDesign
 * states passes: the difference is the one an issue asked for, checked.
 */
export function verdicts(cases: readonly { command: string | undefined; identical: boolean; asDesigned?: boolean }[], registry: Registry): Map<string, boolean[]> {
  const out = new Map<string, boolean[]>();
  for (const c of cases) {
    const name = c.command === undefined ? undefined : registry.get(c.command);
    if (name === undefined) continue;
    out.set(name, [...(out.get(name) ?? []), c.identical || c.asDesigned === true]);
  }
  return out;
}

/** `virsh commands: N implemented of 274, M identical`, and how many cases passed by design (each differs exactly as it states). */
export function summaryLine(t: Tally, byDesign = 0): string {
  const designed = byDesign === 0 ? "" : ` (${byDesign} ${byDesign === 1 ? "case differs" : "cases differ"} by design, exactly as stated)`;
  return `virsh commands: ${t.implemented.length} implemented of ${t.virshCount}, ${t.identical.length} identical${designed}`;
}
