// Every failure of the command line is one line on stderr and exit code 1 (README, "The command line").
import { describe, expect, it } from "vitest";
import { lr } from "./helpers.js";

describe("command-line errors are one line", () => {
  it("an option's value that looks like an option (Node's parseArgs says it in three lines)", async () => {
    for (const args of [["screenshot", "--screen", "-1", "dom"], ["events", "--timeout", "-5", "--all"]]) {
      const r = await lr(args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^libvirt-remote: Option '--(screen|timeout)' argument is ambiguous\. [^\n]+\n$/);
    }
  });
});
