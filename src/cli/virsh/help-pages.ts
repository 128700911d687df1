// virsh's help pages (tools/vsh.c's cmdHelp and vshCmddefHelp): the
// listing of every group, one group, one command's page, printed from
// virsh's own command list (help-model.ts). Apart from help.ts, so that
// vsh.ts (`CMD --help`) reaches them without importing a command module.

import { virshCommandInfo, virshModel, type VirshCommandInfo, type VirshGroup, type VirshOption } from "./help-model.js";

/** A group's heading and its commands, as `virsh help` and `help GROUP` list them. */
export function groupListing(group: VirshGroup): string {
  const rows = virshModel()
    .commands.filter((c) => c.group === group.name)
    .map((c) => `    ${c.name.padEnd(30)} ${c.summary}\n`);
  return ` ${group.name} (help keyword '${group.keyword}'):\n${rows.join("")}`;
}

/** `virsh help`: every group, each followed by a blank line. */
export function fullListing(): string {
  return `Grouped commands:\n\n${virshModel()
    .groups.map((g) => `${groupListing(g)}\n`)
    .join("")}`;
}

/** Takes a value by position: it makes the later argv option's words optionally named. */
function positional(o: VirshOption): boolean {
  return (o.kind === "int" || o.kind === "string" || o.kind === "data") && o.named !== true;
}

function synopsisWord(o: VirshOption, shortopt: boolean): string {
  switch (o.kind) {
    case "bool":
      return `[--${o.name}]`;
    case "int":
      return o.required === true ? `<${o.name}>` : `[--${o.name} <number>]`;
    case "string":
      return `[--${o.name} <string>]`;
    case "data":
      return o.required === true ? `<${o.name}>` : `[<${o.name}>]`;
    case "argv":
      if (shortopt) return o.required === true ? `{[--${o.name}] <string>}...` : `[[--${o.name}] <string>]...`;
      return o.required === true ? `<${o.name}>...` : `[<${o.name}>]...`;
  }
}

function optionColumn(o: VirshOption, shortopt: boolean): string {
  switch (o.kind) {
    case "bool":
      return `--${o.name}`;
    case "int":
      return o.required === true ? `[--${o.name}] <number>` : `--${o.name} <number>`;
    case "string":
      return `--${o.name} <string>`;
    case "data":
      return `[--${o.name}] <string>`;
    case "argv":
      return shortopt ? `[--${o.name}] <string>` : `<${o.name}>`;
  }
}

/** `virsh help COMMAND` (vshCmddefHelp): NAME, SYNOPSIS, DESCRIPTION if any, OPTIONS if any. */
export function commandPage(c: VirshCommandInfo): string {
  let shortopt = false;
  const words: string[] = [];
  const rows: string[] = [];
  // The argv option's form depends on the options before it, in both sections alike.
  for (const o of c.options) {
    words.push(synopsisWord(o, shortopt));
    rows.push(`    ${optionColumn(o, shortopt).padEnd(15)}  ${o.help}\n`);
    if (positional(o)) shortopt = true;
  }
  let page = `  NAME\n    ${c.name} - ${c.summary}\n\n  SYNOPSIS\n    ${[c.name, ...words].join(" ")}\n`;
  if (c.description !== undefined && c.description !== "") page += `\n  DESCRIPTION\n    ${c.description}\n`;
  if (rows.length > 0) page += `\n  OPTIONS\n${rows.join("")}`;
  return `${page}\n`;
}

/** virsh's page of a command (or alias), if virsh has it: what `CMD --help` prints, as virsh's parser makes it `help CMD`. */
export function virshPage(name: string): string | undefined {
  const command = virshCommandInfo(name);
  return command === undefined ? undefined : commandPage(command);
}
