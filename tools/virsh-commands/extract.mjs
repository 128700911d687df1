#!/usr/bin/env node
// virsh's whole command list as JSON, read from the installed virsh: the
// groups and summaries of `virsh help`, each command's synopsis, description
// and options from `virsh help COMMAND`, and the aliases (names `virsh help`
// does not list but answers with another command's page). The CLI's `help`
// prints from this table (src/cli/virsh/help.ts), so its pages are virsh's.
//
//     node tools/virsh-commands/extract.mjs > codegen/virsh-commands.json
//
// Every page comes from one virsh run of a one-line script (`help a; echo
// MARK; help b; ...`): help needs no connection, and one process is quick.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const VIRSH = process.env.VIRSH ?? "virsh";
const MARK = "@@virsh-commands@@";

/** Runs a one-line script of `help` commands; returns each one's stdout, in order. */
function helpPages(topics) {
  const script = topics.map((t) => `help '${t}'; echo ${MARK}`).join("; ");
  const out = execFileSync(VIRSH, ["-q", script], { encoding: "utf8", env: { ...process.env, LANG: "C", LC_ALL: "C" }, stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 << 20 });
  const pages = out.split(MARK);
  pages.pop();
  if (pages.length !== topics.length) throw new Error(`expected ${topics.length} help pages, got ${pages.length}`);
  return pages;
}

/** `virsh help`: groups (name, keyword) and their commands with summaries. */
function parseListing(text) {
  const groups = [];
  for (const line of text.split("\n")) {
    const g = /^ (.+) \(help keyword '([^']+)'\):$/.exec(line);
    if (g !== null) {
      groups.push({ name: g[1], keyword: g[2], commands: [] });
      continue;
    }
    const c = /^ {4}(\S+) +(.*)$/.exec(line);
    if (c !== null) groups.at(-1).commands.push({ name: c[1], summary: c[2] });
  }
  return groups;
}

/** The synopsis split at blanks outside brackets. */
function synopsisWords(line) {
  const words = [""];
  let depth = 0;
  for (const ch of line) {
    if (ch === " " && depth === 0) {
      words.push("");
      continue;
    }
    if (ch === "[" || ch === "{") depth++;
    if (ch === "]" || ch === "}") depth--;
    words[words.length - 1] += ch;
  }
  return words;
}

/** A synopsis word: its option's name and kind, as vshCmddefHelp prints each kind. */
function synopsisOption(word) {
  const forms = [
    [/^\[--([\w-]+)\]$/, "bool", false, null],
    [/^\[--([\w-]+) <number>\]$/, "int", false, null],
    [/^\[--([\w-]+) <string>\]$/, "string", false, null],
    [/^<([\w-]+)>$/, "required", true, null],
    [/^\[<([\w-]+)>\]$/, "data", false, null],
    [/^\{\[--([\w-]+)\] <string>\}\.\.\.$/, "argv", true, true],
    [/^\[\[--([\w-]+)\] <string>\]\.\.\.$/, "argv", false, true],
    [/^<([\w-]+)>\.\.\.$/, "argv", true, false],
    [/^\[<([\w-]+)>\]\.\.\.$/, "argv", false, false],
  ];
  for (const [re, kind, required, shortopt] of forms) {
    const m = re.exec(word);
    if (m !== null) return { name: m[1], kind, required, shortopt };
  }
  throw new Error(`unrecognised synopsis word '${word}'`);
}

/** The OPTIONS column of an option, as vshCmddefHelp formats it. */
export function optionColumn(opt, shortopt) {
  switch (opt.kind) {
    case "bool":
      return `--${opt.name}`;
    case "int":
      return opt.required === true ? `[--${opt.name}] <number>` : `--${opt.name} <number>`;
    case "string":
      return `--${opt.name} <string>`;
    case "data":
      return `[--${opt.name}] <string>`;
    default:
      return shortopt ? `[--${opt.name}] <string>` : `<${opt.name}>`;
  }
}

/** One `virsh help COMMAND` page: summary, description, options (kind, required, help). */
function parsePage(name, page) {
  const head = /^ {2}NAME\n {4}(\S+) - (.*)\n\n {2}SYNOPSIS\n {4}(.*)\n/.exec(page);
  if (head === null) throw new Error(`help ${name}: no NAME/SYNOPSIS`);
  if (head[1] !== name) return { aliasOf: head[1] };
  let rest = page.slice(head[0].length);
  const words = synopsisWords(head[3]).slice(1);
  const options = [];
  let shortopt = false;
  for (const w of words) {
    const o = synopsisOption(w);
    const opt = { name: o.name, kind: o.kind };
    if (o.required) opt.required = true;
    if (o.kind === "argv" && o.shortopt === false && shortopt) {
      // No option before it may be given by position: they are all VSH_OFLAG_REQ_OPT.
      for (const before of options) if (before.kind !== "bool" && before.kind !== "argv") before.named = true;
    }
    if (o.kind !== "bool" && o.kind !== "argv") shortopt = true;
    options.push(opt);
  }
  let description = null;
  const desc = /^\n {2}DESCRIPTION\n {4}/.exec(rest);
  if (desc !== null) {
    rest = rest.slice(desc[0].length);
    const end = rest.lastIndexOf(options.length > 0 ? "\n\n  OPTIONS\n" : "\n\n");
    description = rest.slice(0, end);
    rest = rest.slice(end + 1);
  }
  if (options.length > 0) {
    if (!rest.startsWith("\n  OPTIONS\n")) throw new Error(`help ${name}: no OPTIONS`);
    rest = rest.slice("\n  OPTIONS\n".length);
    // A `<x>` word is a required int or a required data option: the OPTIONS column tells.
    for (const opt of options) {
      if (opt.kind !== "required") continue;
      opt.kind = rest.includes(`    [--${opt.name}] <number>`) ? "int" : "data";
    }
    let short = false;
    const prefixes = options.map((opt) => {
      const p = `    ${optionColumn(opt, short).padEnd(15)}  `;
      if (opt.kind !== "bool" && opt.kind !== "argv" && opt.named !== true) short = true;
      return p;
    });
    for (let i = 0; i < options.length; i++) {
      if (!rest.startsWith(prefixes[i])) throw new Error(`help ${name}: option ${options[i].name} not where expected`);
      rest = rest.slice(prefixes[i].length);
      const end = i + 1 < options.length ? rest.indexOf(`\n${prefixes[i + 1]}`) : rest.lastIndexOf("\n\n");
      if (end < 0) throw new Error(`help ${name}: option ${options[i + 1].name} missing`);
      options[i].help = rest.slice(0, end);
      rest = rest.slice(end + 1);
    }
  }
  return { description, options };
}

/** Words in the virsh binary that could name a command: alias candidates. */
function binaryWords(names) {
  const path = execFileSync("sh", ["-c", `command -v ${VIRSH}`], { encoding: "utf8" }).trim();
  const text = readFileSync(path).toString("latin1");
  const words = new Set();
  for (const m of text.matchAll(/(?<=\0)[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?=\0)/g)) if (!names.has(m[0])) words.add(m[0]);
  return [...words].sort();
}

export function extract() {
  const version = execFileSync(VIRSH, ["--version"], { encoding: "utf8" }).trim();
  const [listing] = helpPages([""]);
  const groups = parseListing(listing.replace(/^Grouped commands:\n\n/, ""));
  const listed = groups.flatMap((g) => g.commands.map((c) => ({ ...c, group: g.name })));
  const names = new Set(listed.map((c) => c.name));
  const pages = helpPages(listed.map((c) => c.name));
  const commands = listed.map((c, i) => {
    const page = parsePage(c.name, pages[i]);
    if ("aliasOf" in page) throw new Error(`help ${c.name} shows ${page.aliasOf}`);
    const out = { name: c.name, group: c.group, summary: c.summary, aliases: [] };
    if (page.description !== null) out.description = page.description;
    out.options = page.options;
    return out;
  });
  const candidates = binaryWords(names);
  const candidatePages = helpPages(candidates);
  const hidden = [];
  candidates.forEach((word, i) => {
    if (candidatePages[i] === "") return;
    const page = parsePage(word, candidatePages[i]);
    if (!("aliasOf" in page)) {
      // A command `virsh help` leaves out (VSH_CMD_FLAG_HIDDEN): its page, no group.
      const out = { name: word, summary: /^ {4}\S+ - (.*)$/m.exec(candidatePages[i])[1], aliases: [] };
      if (page.description !== null) out.description = page.description;
      out.options = page.options;
      hidden.push(out);
      return;
    }
    const target = commands.find((c) => c.name === page.aliasOf);
    if (target === undefined) throw new Error(`help ${word}: not a listed command's page`);
    target.aliases.push(word);
  });
  return {
    source: `virsh ${version}: \`virsh help\`, \`virsh help COMMAND\` (tools/virsh-commands/extract.mjs)`,
    groups: groups.map((g) => ({ name: g.name, keyword: g.keyword })),
    commands,
    hidden,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${JSON.stringify(extract(), null, 1)}\n`);
