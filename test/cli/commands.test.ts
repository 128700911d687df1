// The one command model (issue 20, item 4): one registry of every family's commands, each module
// holding the commands the registry says it does, and one parser for all of them.
import { describe, expect, it } from "vitest";
import { ADMIN_COMMANDS } from "../../src/cli/admin/table.js";
import { loadCommand, lookupIn, type Command, type CommandEntry } from "../../src/cli/command.js";
import { ALL_COMMANDS, isVirshCommand, OWN_COMMANDS } from "../../src/cli/commands.js";
import { argvTokens, parseCommands, stringTokens } from "../../src/cli/parse.js";
import { UsageError } from "../../src/cli/usage.js";
import { VIRSH_COMMANDS } from "../../src/cli/virsh/table.js";
import { lr } from "./helpers.js";

describe("the registry", () => {
  it("each entry's module holds that command under the same names, and every command of a module is listed", async () => {
    const modules = new Map<CommandEntry<never>["module"], readonly Command<never>[]>();
    for (const entry of ALL_COMMANDS) {
      const def = await loadCommand(entry);
      expect(def.names, entry.names[0]).toEqual(entry.names);
      modules.set(entry.module, (await entry.module()).commands);
    }
    const listed = new Set(ALL_COMMANDS.map((e) => e.names[0]));
    for (const commands of modules.values()) for (const c of commands) expect(listed, c.names[0]).toContain(c.names[0]);
  });

  it("names each command once across the top level, and says which are virsh's", () => {
    const top = [...VIRSH_COMMANDS, ...OWN_COMMANDS].flatMap((e) => e.names);
    expect(new Set(top).size).toBe(top.length);
    for (const name of ["list", "console", "screenshot", "vol-upload", "vol-download"]) expect(isVirshCommand(name), name).toBe(true);
    for (const name of ["call", "events", "admin", "srv-list", "nosuch"]) expect(isVirshCommand(name), name).toBe(false);
  });

  it("--help lists every top-level command with its summary, from the registry", async () => {
    const r = await lr(["--help"]);
    expect(r.code).toBe(0);
    const literal = (t: string): string => t.replace(/[()]/g, "\\$&");
    // A command's aliases follow its name in parentheses (nodedev-detach (nodedev-dettach)).
    const shown = (names: readonly string[]): string => (names.length > 1 ? `${names[0]} (${names.slice(1).join(", ")})` : names[0]!);
    for (const e of [...VIRSH_COMMANDS, ...OWN_COMMANDS]) expect(r.stdout).toMatch(new RegExp(`^  ${literal(shown(e.names))} +${literal(e.summary)}$`, "m"));
    const admin = await lr(["admin", "--help"]);
    for (const e of ADMIN_COMMANDS) expect(admin.stdout).toContain(e.summary);
  });
});

describe("the one parser", () => {
  const parse = (words: string[]) => parseCommands(argvTokens(words), lookupIn(OWN_COMMANDS));

  it("reads our own commands' short letters, and a rest option takes every word after its first", async () => {
    const [admin] = await parse(["admin", "-c", "URI", "-q", "srv-list", "--server", "x", "-q"]);
    expect(admin!.opts.string("connect")).toBe("URI");
    expect(admin!.opts.bool("quiet")).toBe(true);
    expect(admin!.opts.argv("command")).toEqual(["srv-list", "--server", "x", "-q"]);
    const [call] = await parse(["call", "-h"]);
    expect(call!.opts.bool("help")).toBe(true);
  });

  it("gives virsh's commands no short letters: `-h` is data to them, as to virsh", async () => {
    await expect(parseCommands(stringTokens("list -h"), lookupIn(VIRSH_COMMANDS))).rejects.toEqual(new UsageError(["unexpected data '-h'"]));
  });

  it("reports every missing required option, one line each, in vsh's words", async () => {
    const e = await parse(["import-pcap"]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).lines).toEqual(["command 'import-pcap' requires <file> option", "command 'import-pcap' requires --out option"]);
  });
});
