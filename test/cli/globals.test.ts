// virsh's global options as getopt_long reads them (tools/virsh.c, virshParseArgv).
import { describe, expect, it } from "vitest";
import { parseLeadingGlobals, takeTrailingGlobals, defaultGlobals } from "../../src/cli/globals.js";

describe("global options before the command", () => {
  it("takes an unambiguous prefix of a long option, as getopt_long does (virsh --conn URI, --read)", () => {
    const { globals, rest } = parseLeadingGlobals(["--conn=test:///default", "--read", "--q", "--tim", "--keepalive-i", "7", "list"]);
    expect(globals).toMatchObject({ connect: "test:///default", readonly: true, quiet: true, timing: true, keepaliveInterval: 7 });
    expect(rest).toEqual(["list"]);
    expect(parseLeadingGlobals(["--ver=long"]).globals.version).toBe("long");
  });

  it("refuses an ambiguous prefix, and an argument to a flag, in virsh's words", () => {
    expect(() => parseLeadingGlobals(["--keepalive", "5", "list"])).toThrow("unsupported option '--keepalive'. See --help.");
    expect(() => parseLeadingGlobals(["--quiet=1", "list"])).toThrow("unsupported option '-q'. See --help.");
  });

  it("after the command, only whole names are global: a command's own --t or --re stays its own", () => {
    const g = defaultGlobals();
    expect(takeTrailingGlobals(g, ["--t", "--re", "--conn", "x"])).toEqual(["--t", "--re", "--conn", "x"]);
    expect(g).toEqual(defaultGlobals());
  });
});
