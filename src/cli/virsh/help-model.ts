// virsh 9.0's whole command list (codegen/virsh-commands.json, written by
// tools/virsh-commands/extract.mjs from the installed virsh's help pages):
// the one model `help` prints from, "did you mean" searches, and the
// differential runner counts against. Read on first use only.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** vsh's option kinds as `virsh help COMMAND` shows them (aliases are never shown). */
export type VirshOptionKind = "bool" | "int" | "string" | "data" | "argv";

export interface VirshOption {
  name: string;
  kind: VirshOptionKind;
  /** VSH_OFLAG_REQ, where the page shows it (ints, data, argv). */
  required?: boolean;
  /** VSH_OFLAG_REQ_OPT, where the page shows it: never given by position. */
  named?: boolean;
  help: string;
}

export interface VirshCommandInfo {
  name: string;
  /** The group `virsh help` lists it under; none for a hidden command (self-test). */
  group?: string;
  summary: string;
  aliases: string[];
  description?: string;
  options: VirshOption[];
}

export interface VirshGroup {
  name: string;
  keyword: string;
}

export interface VirshModel {
  source: string;
  groups: VirshGroup[];
  /** In `virsh help`'s order. */
  commands: VirshCommandInfo[];
  /** Commands `virsh help` leaves out but runs and documents. */
  hidden: VirshCommandInfo[];
}

let model: VirshModel | undefined;

/** The JSON beside the package's root: dist/src/cli/virsh/ when built, src/cli/virsh/ under the tests. */
function modelPath(): string {
  for (const up of ["../../../../", "../../../"]) {
    const url = new URL(`${up}codegen/virsh-commands.json`, import.meta.url);
    if (existsSync(url)) return fileURLToPath(url);
  }
  throw new Error("codegen/virsh-commands.json not found: virsh's command list ships with the package");
}

export function virshModel(): VirshModel {
  model ??= JSON.parse(readFileSync(modelPath(), "utf8")) as VirshModel;
  return model;
}

/** The command a name or alias means, hidden ones included (vshCmddefSearch). */
export function virshCommandInfo(name: string): VirshCommandInfo | undefined {
  const m = virshModel();
  return [...m.commands, ...m.hidden].find((c) => c.name === name || c.aliases.includes(name));
}

/** The group a name or keyword means (vshCmdGrpSearch). */
export function virshGroup(name: string): VirshGroup | undefined {
  return virshModel().groups.find((g) => g.name === name || g.keyword === name);
}

/** Every name virsh runs a command by: listed, hidden and aliases. */
export function virshCommandNames(): string[] {
  const m = virshModel();
  return [...m.commands, ...m.hidden].flatMap((c) => [c.name, ...c.aliases]);
}
