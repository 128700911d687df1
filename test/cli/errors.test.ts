// Every usage error of the command line, of every family (virsh's commands, virt-admin's under
// `admin`, our own), is read by one parser and printed on one path: each line as `error: LINE`
// on stderr, exit code 1, as virsh and virt-admin print theirs (issue 20, README "The command line").
import { describe, expect, it } from "vitest";
import { lr, virshRun } from "./helpers.js";

describe("usage errors: `error: ` lines on stderr, exit code 1, nothing run", () => {
  it("our own commands' options are read as vsh reads a command's, in its words", async () => {
    const cases: [string[], string][] = [
      [["call", "--bogus"], "error: command 'call' doesn't support option --bogus\n"],
      [["events", "--all", "--timeout"], "error: expected syntax: --timeout <string>\n"],
      [["events", "--all", "--all"], "error: option --all already seen\n"],
      [["record", "--listen", "127.0.0.1:0"], "error: command 'record' requires --upstream option\nerror: command 'record' requires --out option\n"],
      [["replay", "a.jsonl", "b.jsonl", "--listen", "x"], "error: unexpected data 'b.jsonl'\n"],
      [["gen", "--from=x", "--out"], "error: expected syntax: --out <string>\n"],
      [["daemon", "--once"], "error: command 'daemon' doesn't support option --once\n"],
      // An option's value that looks like an option is its value (Node's parseArgs refused it in three lines).
      [["events", "--timeout", "-5", "--all"], "error: --timeout takes a whole number of seconds from 1 to 2147483, not '-5'\n"],
      [["admin", "--bogus"], "error: command 'admin' doesn't support option --bogus\n"],
      [["admin", "srv-list", "--bogus"], "error: command 'server-list' doesn't support option --bogus\n"],
      [["admin", "srv-update-tls"], "error: command 'srv-update-tls' is virt-admin's, but not implemented here\n"],
      [["nosuch"], "error: unknown command: 'nosuch'\n"],
    ];
    for (const [args, stderr] of cases) expect({ args, ...(await lr(args)) }).toEqual({ args, code: 1, stdout: "", stderr });
  });

  it("-h and --help still print each own command's usage, exit code 0", async () => {
    for (const name of ["call", "events", "daemon", "demo", "record", "replay", "import-pcap", "admin"]) {
      for (const flag of ["-h", "--help"]) {
        const r = await lr([name, flag]);
        expect({ name, flag, code: r.code, stderr: r.stderr }).toEqual({ name, flag, code: 0, stderr: "" });
        expect(r.stdout).toMatch(new RegExp(`^usage: libvirt-remote .*${name}`));
      }
    }
  });

  it("console, screenshot, vol-upload and vol-download are virsh's: its option errors, word for word", async () => {
    // virsh needs a connection to start; the test driver in its own process needs no daemon.
    for (const args of [
      ["screenshot", "--screen", "-1", "dom"],
      ["screenshot"],
      ["console", "dom", "--bogus"],
      ["vol-upload", "v"],
      ["vol-download", "v", "f", "--offset", "-1"],
      ["vol-download", "v", "f", "--sparse=1"],
    ]) {
      const [ours, theirs] = [await lr(args), await virshRun(["-c", "test:///default", ...args])];
      expect({ args, ...ours }).toEqual({ args, ...theirs });
      expect(ours.code).toBe(1);
    }
  });
});
