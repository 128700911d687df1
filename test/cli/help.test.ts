// virsh's `help`, printed from virsh 9.0's command list (codegen/virsh-commands.json):
// the table is what tools/virsh-commands/extract.mjs reads from the installed virsh,
// and every page, group and the whole listing are virsh's byte for byte.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { loadCommand } from "../../src/cli/command.js";
import { VIRSH_COMMANDS } from "../../src/cli/virsh/table.js";
import { commandPage, fullListing, helpFor } from "../../src/cli/virsh/help.js";
import { virshCommandInfo, virshCommandNames, virshModel } from "../../src/cli/virsh/help-model.js";
import { lr, virshRun } from "./helpers.js";

const root = repoRoot();

function virshVersion(): string | null {
  try {
    return execFileSync("virsh", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}
/** The table is virsh 9.0's: only that virsh can be compared with it. */
const virsh90 = virshVersion() === "9.0.0";

/** One program run of a one-line script of `help` commands, each page ended by a mark on stdout. */
const MARK = "@@page@@";
const script = (topics: readonly string[]): string => topics.map((t) => `help '${t}'; echo ${MARK}`).join("; ");

describe("virsh's command list (codegen/virsh-commands.json)", () => {
  it("holds virsh 9.0's 274 listed commands in 15 groups, the alias and the hidden command", () => {
    const m = virshModel();
    expect(m.commands).toHaveLength(274);
    expect(m.groups.map((g) => g.keyword)).toEqual([
      "domain", "monitor", "events", "host", "checkpoint", "interface", "filter", "network",
      "nodedev", "secret", "snapshot", "backup", "pool", "volume", "virsh",
    ]);
    expect(virshCommandInfo("nodedev-dettach")?.name).toBe("nodedev-detach");
    expect(m.hidden.map((c) => c.name)).toEqual(["self-test"]);
    expect(new Set(virshCommandNames()).size).toBe(276);
    expect(virshCommandInfo("event")?.options.map((o) => `${o.kind} ${o.name}`)).toEqual([
      "string domain", "string event", "bool all", "bool loop", "int timeout", "bool list", "bool timestamp",
    ]);
  });

  it.skipIf(!virsh90)("matches what tools/virsh-commands/extract.mjs reads from the installed virsh 9.0", () => {
    const out = execFileSync("node", [join(root, "tools/virsh-commands/extract.mjs")], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(JSON.parse(out)).toEqual(JSON.parse(readFileSync(join(root, "codegen/virsh-commands.json"), "utf8")));
  });

  it("prints a page as vshCmddefHelp lays it out: synopsis forms by kind, description, option columns", () => {
    expect(helpFor("event")).toBe(
      [
        "  NAME",
        "    event - Domain Events",
        "",
        "  SYNOPSIS",
        "    event [--domain <string>] [--event <string>] [--all] [--loop] [--timeout <number>] [--list] [--timestamp]",
        "",
        "  DESCRIPTION",
        "    List event types, or wait for domain events to occur",
        "",
        "  OPTIONS",
        "    --domain <string>  filter by domain name, id or uuid",
        "    --event <string>  which event type to wait for",
        "    --all            wait for all events instead of just one type",
        "    --loop           loop until timeout or interrupt, rather than one-shot",
        "    --timeout <number>  timeout seconds",
        "    --list           list valid event types",
        "    --timestamp      show timestamp for each printed event",
        "",
        "",
      ].join("\n"),
    );
    // No description and no options: two sections only.
    expect(commandPage(virshCommandInfo("quit")!)).toBe("  NAME\n    quit - quit this interactive terminal\n\n  SYNOPSIS\n    quit\n\n");
    // An argv option with no option before it that takes a value by position: `[<string>]...`.
    expect(helpFor("echo")).toContain("    echo [--shell] [--xml] [--split] [--err] [<string>]...\n");
    expect(helpFor("events")).toBe(" Domain Events (help keyword 'events'):\n    event                          Domain Events\n");
    expect(fullListing().startsWith("Grouped commands:\n\n Domain Management (help keyword 'domain'):\n    attach-device ")).toBe(true);
    expect(() => helpFor("nosuch")).toThrow("command or command group 'nosuch' doesn't exist");
  });
});

describe("the registry agrees with virsh's command list", () => {
  it("names, aliases and summaries of every command this CLI runs are virsh's", () => {
    const wrong = VIRSH_COMMANDS.flatMap((e) => {
      const info = virshCommandInfo(e.names[0]!);
      if (info === undefined) return [`${e.names[0]}: not a virsh command`];
      return [
        ...(info.name === e.names[0] ? [] : [`${e.names[0]}: virsh's name is ${info.name}`]),
        ...(e.summary === info.summary ? [] : [`${e.names[0]}: summary '${e.summary}', virsh's '${info.summary}'`]),
        ...e.names.slice(1).filter((a) => !info.aliases.includes(a)).map((a) => `${e.names[0]}: alias ${a} is not virsh's`),
      ];
    });
    expect(wrong).toEqual([]);
  });

  it("each command's options are virsh's, of virsh's kinds, in virsh's order (some may be missing yet)", async () => {
    const wrong: string[] = [];
    for (const entry of VIRSH_COMMANDS) {
      const def = await loadCommand(entry);
      const theirs = virshCommandInfo(entry.names[0]!)!.options.map((o) => `${o.kind} ${o.name}`);
      // help's catch-all for stray words is virsh's parser's rule, not an option.
      const ours = def.options.filter((o) => o.type !== "alias" && o.name !== "help" && !(entry.names[0] === "help" && o.name === "ignored")).map((o) => `${o.type} ${o.name}`);
      let at = 0;
      for (const o of ours) {
        const found = theirs.indexOf(o, at);
        if (found < 0) wrong.push(`${entry.names[0]}: ${o} (virsh: ${theirs.join(", ")})`);
        else at = found + 1;
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe.skipIf(!virsh90)("help prints what virsh 9.0 prints", () => {
  it("every command's page (listed, alias, hidden), word for word", async () => {
    const topics = [...virshModel().commands.map((c) => c.name), "nodedev-dettach", "self-test"];
    const [theirs, ours] = await Promise.all([virshRun(["-q", script(topics)]), lr(["-q", script(topics)])]);
    expect(theirs.stdout.split(MARK)).toHaveLength(topics.length + 1);
    const pages = (s: string): Record<string, string> => Object.fromEntries(s.split(MARK).slice(0, -1).map((p, i) => [topics[i]!, p]));
    expect(pages(ours.stdout)).toEqual(pages(theirs.stdout));
    expect({ ...ours, stdout: "" }).toEqual({ ...theirs, stdout: "" });
  });

  it("COMMAND --help is virsh's `help COMMAND`, for every command this CLI runs", async () => {
    const names = VIRSH_COMMANDS.map((e) => e.names[0]!).filter((n) => virshCommandInfo(n) !== undefined);
    expect(names.length).toBeGreaterThan(20);
    const ours = await lr(["-q", names.map((n) => `${n} --help; echo ${MARK}`).join("; ")]);
    const theirs = await virshRun(["-q", script(names)]);
    const pages = (s: string): Record<string, string> => Object.fromEntries(s.split(MARK).slice(0, -1).map((p, i) => [names[i]!, p]));
    expect(pages(ours.stdout)).toEqual(pages(theirs.stdout));
    expect(ours.code).toBe(0);
  });

  it("the listing, each group by name and by keyword, unknown names, stray words", async () => {
    const groups = virshModel().groups.flatMap((g) => [g.name, g.keyword]);
    const cases: string[][] = [
      ["help"],
      ["-q", "help"],
      ["help", "list", "domstate"],
      ["help", "--command", "vol-list"],
      ["help", "nosuch"],
      ["help", "Domain"],
      ["help; help nosuch; help virsh"],
      ["-q", script(groups)],
    ];
    for (const args of cases) {
      const [theirs, ours] = [await virshRun(args), await lr(args)];
      expect({ args, ...ours }).toEqual({ args, ...theirs });
    }
  });
});

describe("help without virsh", () => {
  it("prints the listing and exits 0; an unknown name is virsh's error and exit code 1", async () => {
    const all = await lr(["help"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(`${fullListing()}\n`);
    expect(all.stdout.match(/^ {4}\S/gm)).toHaveLength(274);
    expect(await lr(["help", "nosuch"])).toEqual({ code: 1, stdout: "\n", stderr: "error: command or command group 'nosuch' doesn't exist\n" });
    expect(await lr(["help", "pool"])).toEqual({ code: 0, stdout: `${helpFor("pool")}\n`, stderr: "" });
  });
});
