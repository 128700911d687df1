import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { repoRoot } from "../../protocol/fetch.js";
import { sharedDaemon, uniqueName } from "../e2e/daemon.js";

const run = promisify(execFile);
const daemon = sharedDaemon();
const cli = join(repoRoot(), "dist/src/cli/main.js");

describe.skipIf(daemon === null)("libvirt-remote events", () => {
  it("without --loop: the first event of --domain, as JSON with symbolic names, then the count", async () => {
    const uri = daemon!.uris.testTcp;
    const conn = await connect(uri);
    const name = uniqueName("cli-ev");
    const { dom } = await conn.domainDefineXml({ xml: `<domain type='test'><name>${name}</name><memory>8192</memory><os><type>hvm</type></os></domain>` });
    const other = await conn.domainDefineXml({ xml: `<domain type='test'><name>${name}-x</name><memory>8192</memory><os><type>hvm</type></os></domain>` });
    const child = spawn("node", [cli, "events", "-c", uri, "--event", "lifecycle", "--domain", name, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    const exited = new Promise<number | null>((r) => child.once("exit", r));
    // Events of another domain never count; ours are repeated until the command has registered.
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      await conn.domainCreate({ dom: other.dom });
      await conn.domainDestroy({ dom: other.dom });
      await conn.domainCreate({ dom });
      await conn.domainDestroy({ dom });
    }
    expect(await exited).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(2);
    const event = JSON.parse(lines[0]!);
    expect(event).toMatchObject({ family: "domain", event: "lifecycle", data: { dom: { name } } });
    expect(event.names.event).toMatch(/^VIR_DOMAIN_EVENT_(STARTED|STOPPED)$/);
    expect(lines[1]).toBe("events received: 1");
    await conn.domainUndefine({ dom });
    await conn.domainUndefine({ dom: other.dom });
    await conn.close();
  });

  it("--timeout ends the loop as virsh does", async () => {
    const { stdout } = await run("node", [cli, "events", "-c", daemon!.uris.testTcp, "--family", "secret", "--all", "--loop", "--timeout", "1"]);
    expect(stdout).toBe("event loop timed out\nevents received: 0\n");
  });

  it("--list names the events of a family, as virsh's --list does", async () => {
    const { stdout } = await run("node", [cli, "events", "--family", "storage-pool", "--list"]);
    expect(stdout).toBe("lifecycle\nrefresh\n");
    const virshList = await run("virsh", ["-c", daemon!.uris.testTcp, "event", "--list"]);
    const ours = (await run("node", [cli, "events", "--list"])).stdout.trim().split("\n");
    // virsh 9.0 knows the events up to its release; ours (11.3) are a superset, in the same order.
    expect(ours.slice(0, virshList.stdout.trim().split("\n").length)).toEqual(virshList.stdout.trim().split("\n"));
  });
});
