import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../protocol/fetch.js";
import { sharedDaemon, virsh } from "../e2e/daemon.js";

const run = promisify(execFile);
const daemon = sharedDaemon();
// The built command, as users run it (`npm test` builds first).
const cli = join(repoRoot(), "dist/src/cli/main.js");

async function lr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("node", [cli, ...args], { encoding: "utf8" });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("libvirt-remote call", () => {
  it("--list prints every callable procedure of the remote, qemu and lxc programs", async () => {
    const { code, stdout } = await lr("call", "--list");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.find((l) => l.startsWith("domainLookupByName "))).toMatch(/REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME\s+remote_domain_lookup_by_name_args -> remote_domain_lookup_by_name_ret$/);
    expect(lines.find((l) => l.startsWith("qemu.domainMonitorCommand "))).toContain("QEMU_PROC_DOMAIN_MONITOR_COMMAND");
    expect(lines.find((l) => l.startsWith("storageVolDownload "))).toContain("[stream]");
    expect(lines.some((l) => l.includes("_EVENT_LIFECYCLE "))).toBe(false);
  });

  it("rejects an unknown procedure with a one-line message and exit code 1", async () => {
    expect(await lr("call", "noSuchThing")).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: unknown procedure 'noSuchThing' (libvirt-remote call --list shows them)\n",
    });
  });

  // Issue 13, defect 18, and the one exit-code rule of issue 16 (virsh's): every usage error exits 1
  // with one line, before any connection is made; as virsh's, it reads `error: ` (issue 20).
  describe("usage errors: one line on stderr, exit code 1", () => {
    // Port 9 (discard) on loopback: nothing is reached, since nothing is even tried.
    const uri = "test+tcp://127.0.0.1:9/default";
    const cases: [string, string[], string][] = [
      ["arguments of the wrong shape, naming the field", ["call", "-c", uri, "domainLookupByName", '{"name":5}'],
        "error: ARGS_JSON does not fit remote_domain_lookup_by_name_args: name: expected a string, got 5\n"],
      ["a value the wire cannot carry", ["call", "-c", uri, "domainLookupByName", '{"name":"a\\u0000b"}'],
        "error: ARGS_JSON does not fit remote_domain_lookup_by_name_args: name: string contains NUL at index 1\n"],
      ["invalid JSON", ["call", "-c", uri, "domainLookupByName", "{"],
        "error: ARGS_JSON is not valid JSON: Expected property name or '}' in JSON at position 1\n"],
      ["a bad URI", ["call", "-c", "qemu+carrier://h/system", "connectGetLibVersion"],
        "libvirt-remote: \"qemu+carrier://h/system\": unknown transport 'carrier' (expected unix, tcp, tls, ssh, libssh, libssh2, ext)\n"],
      ["--timeout that is not a number", ["call", "-c", uri, "--timeout", "abc", "connectGetLibVersion"],
        "error: --timeout takes a whole number of seconds from 1 to 2147483, not 'abc'\n"],
      ["--timeout 0", ["call", "-c", uri, "--timeout", "0", "connectGetLibVersion"],
        "error: --timeout takes a whole number of seconds from 1 to 2147483, not '0'\n"],
      ["--timeout too large for a timer", ["call", "-c", uri, "--timeout", "2147484", "connectGetLibVersion"],
        "error: --timeout takes a whole number of seconds from 1 to 2147483, not '2147484'\n"],
      ["--timeout Infinity", ["call", "-c", uri, "--timeout", "Infinity", "connectGetLibVersion"],
        "error: --timeout takes a whole number of seconds from 1 to 2147483, not 'Infinity'\n"],
      ["import-pcap --port out of range", ["import-pcap", "x.pcap", "--out", "x.jsonl", "--port", "70000"],
        "error: --port takes a whole number from 1 to 65535, not '70000'\n"],
      ["daemon --max-client-requests that is not a number", ["daemon", "--max-client-requests", "many"],
        "error: --max-client-requests takes a whole number from 1 to 1000000, not 'many'\n"],
      // vsh's words (issue 20): every command's options are read by virsh's parser.
      ["an unknown option", ["call", "--bogus"], "error: command 'call' doesn't support option --bogus\n"],
      ["no procedure", ["call"], "error: command 'call' requires <procedure> option\n"],
      ["a third word", ["call", "-c", uri, "connectGetLibVersion", "{}", "x"], "error: unexpected data 'x'\n"],
    ];
    for (const [what, args, stderr] of cases) {
      it(what, async () => expect(await lr(...args)).toEqual({ code: 1, stdout: "", stderr }));
    }
  });

  describe.skipIf(daemon === null)("against the daemon", () => {
    it("takes -c before the command too, and its timeout in seconds", async () => {
      const r = await lr("-c", daemon!.uris.testTcp, "call", "--timeout", "30", "connectGetLibVersion");
      expect(r).toEqual({ code: 0, stdout: '{\n  "lib_ver": "9000000"\n}\n', stderr: "" });
    });

    it("calls by camelCase and by .x name, printing JSON with the documented conventions", async () => {
      const a = await lr("call", "-c", daemon!.uris.testTcp, "domainLookupByName", '{"name":"test"}');
      const b = await lr("call", "-c", daemon!.uris.testTcp, "REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME", '{"name":"test"}');
      expect(a.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
      const dom = JSON.parse(a.stdout).dom;
      expect(dom).toMatchObject({ name: "test", id: 1 });
      // Dashed, as virsh prints it.
      expect(dom.uuid).toBe((await virsh(daemon!.uris.testTcp, "domuuid", "test")).trim());
      const v = JSON.parse((await lr("call", "-c", daemon!.uris.testTcp, "connectGetLibVersion")).stdout);
      expect(v).toEqual({ lib_ver: "9000000" });
      // The dashed UUID goes back in as it came out, and base64 is still taken.
      const xml = await lr("call", "-c", daemon!.uris.testTcp, "domainGetXmlDesc", JSON.stringify({ dom, flags: 0 }));
      expect(JSON.parse(xml.stdout).xml).toContain("<name>test</name>");
      const b64 = Buffer.from(dom.uuid.replace(/-/g, ""), "hex").toString("base64");
      const byUuid = await lr("call", "-c", daemon!.uris.testTcp, "domainLookupByUuid", JSON.stringify({ uuid: b64 }));
      expect(JSON.parse(byUuid.stdout).dom).toEqual(dom);
    });

    it("prints a LibvirtError as one line on stderr, exit code 1, no stack trace", async () => {
      const r = await lr("call", "-c", daemon!.uris.testTcp, "domainLookupByName", '{"name":"nope"}');
      expect(r).toEqual({ code: 1, stdout: "", stderr: "libvirt-remote: VIR_ERR_NO_DOMAIN: Domain not found\n" });
    });


  });
});
