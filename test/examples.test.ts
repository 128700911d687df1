// The examples of examples/ (TypeScript, built to dist/examples by `npm run build`,
// and their libvirt-python twins) run against the shared daemon: each must
// exit 0 and print what its task promises.
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../src/client/client.js";
import { sharedDaemon, uniqueName } from "./e2e/daemon.js";

const run = promisify(execFile);
const daemon = sharedDaemon();
const root = join(import.meta.dirname, "..");
const PYTHON = "/usr/bin/python3";
const hasPython = existsSync(PYTHON) && (await run(PYTHON, ["-c", "import libvirt"]).then(() => true, () => false));

type Lang = "ts" | "py";
function command(lang: Lang, name: string): [string, string[]] {
  if (lang === "py") return [PYTHON, [join(root, "examples/python", `${name}.py`)]];
  const js = join(root, "dist/examples", `${name}.js`);
  if (!existsSync(js)) throw new Error(`${js} is missing: run npm run build`);
  return [process.execPath, [js]];
}

async function example(lang: Lang, name: string, ...args: string[]): Promise<string> {
  const [cmd, pre] = command(lang, name);
  const { stdout } = await run(cmd, [...pre, daemon!.uris.testTcp, ...args], { encoding: "utf8", timeout: 60_000 });
  return stdout;
}

function domainXml(name: string): string {
  return `<domain type='test'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`;
}

const langs: Lang[] = hasPython ? ["ts", "py"] : ["ts"];

describe.skipIf(daemon === null)("examples/ against the shared daemon", () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(daemon!.uris.testTcp);
  });
  afterAll(async () => {
    await client.close();
  });

  describe.each(langs)("%s", (lang) => {
    it("list: every domain with state, memory and vCPUs", async () => {
      const out = await example(lang, "list");
      // The test driver's own domain (other tests may change its memory), and one defined here.
      expect(out).toMatch(/^test: running, \d+ MiB, 2 vCPUs$/m);
    });

    it("lifecycle: start, stop, and both events seen; the id follows", async () => {
      const name = uniqueName(`ex-life-${lang}`);
      const { dom } = await client.domainDefineXml({ xml: domainXml(name) });
      try {
        const out = await example(lang, "lifecycle", name);
        expect(out).toMatch(/^create: event seen, id [1-9]\d*\ndestroy: event seen, id -1\n$/);
      } finally {
        await client.domainUndefine({ dom });
      }
    });

    it("define: define, read the XML, undefine", async () => {
      const name = uniqueName(`ex-def-${lang}`);
      const out = await example(lang, "define", name);
      expect(out).toMatch(new RegExp(`^defined ${name} [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\n<domain type='test'>\\n  <name>${name}</name>`));
      expect(out).toContain(`undefined ${name}`);
      const { domains } = await client.connectListAllDomains({ need_results: 1, flags: 0 });
      expect(domains.map((d) => d.name)).not.toContain(name);
    });

    it("events: subscribes to every event, says which it skipped, prints one it sees", async () => {
      const [cmd, pre] = command(lang, "events");
      const child = spawn(cmd, [...pre, daemon!.uris.testTcp, "3"], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.setEncoding("utf8");
      const watching = new Promise<void>((resolve) =>
        child.stdout.on("data", (c: string) => {
          out += c;
          if (out.includes("watching")) resolve();
        }),
      );
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      await watching;
      const name = uniqueName(`ex-ev-${lang}`);
      const { dom } = await client.domainDefineXml({ xml: domainXml(name) });
      await client.domainUndefine({ dom });
      expect(await exited).toBe(0);
      // 28 domain + 2 network + 2 pool + 2 device + 2 secret events (+ QEMU monitor events) in libvirt 11.3's tables;
      // what the daemon refuses (newer IDs, events its test driver lacks) is listed, the rest watched.
      const m = /^watching (\d+) events; skipped: (.*)\n/.exec(out);
      expect(m).not.toBeNull();
      const skipped = m![2] === "none" ? [] : m![2]!.split(", ");
      expect(Number(m![1]) + skipped.length).toBe(lang === "ts" ? 37 : 36);
      if (lang === "ts") expect(skipped).toContain("qemu/monitor");
      expect(out).toMatch(lang === "ts" ? /domain lifecycle \{\s+event: 'VIR_DOMAIN_EVENT_DEFINED'/ : /domain \(<libvirt.virDomain object at 0x[0-9a-f]+>, 0, /);
    });

    it("host: node info, capabilities, memory stats, all-domain stats (QEMU driver: the test driver has no memory stats)", async () => {
      const qemu = await connect(daemon!.uris.qemuTcp);
      const name = uniqueName(`ex-host-${lang}`);
      const xml = `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>`;
      const { dom } = await qemu.domainDefineXml({ xml });
      let out: string;
      try {
        const [cmd, pre] = command(lang, "host");
        out = (await run(cmd, [...pre, daemon!.uris.qemuTcp], { encoding: "utf8" })).stdout;
      } finally {
        await qemu.domainUndefine({ dom });
        await qemu.close();
      }
      const lines = out.trim().split("\n");
      expect(lines[0]).toMatch(/: \S+, \d+ CPUs at \d+ MHz, \d+ [KM]iB$/);
      expect(lines[1]).toMatch(/^\d+ bytes of capabilities XML$/);
      expect(Object.keys(JSON.parse(lines[2]!) as object).sort()).toEqual(["buffers", "cached", "free", "total"]);
      expect(lines.find((l) => l.startsWith(`${name} `))).toMatch(/"state.state": ?5/);
    });

    it("errors: the code, the message, and (TS) the procedure", async () => {
      const out = await example(lang, "errors");
      if (lang === "ts") expect(out).toBe("VIR_ERR_NO_DOMAIN from REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME: Domain not found\n");
      else expect(out).toBe("42: Domain not found\n");
    });

    it("timeout: a wait given up on, a call aborted, a call within its timeout", async () => {
      const out = await example(lang, "timeout");
      expect(out).toContain("no reboot within 200 ms");
      if (lang === "ts") expect(out).toContain("aborted: ");
      expect(out).toMatch(/with a timeout: \d+ bytes/);
    });

    it("screenshot: the test driver's PNG, saved", async () => {
      const file = join(tmpdir(), `${uniqueName(`ex-shot-${lang}`)}.png`);
      try {
        const out = await example(lang, "screenshot", "test", file);
        expect(out).toBe("saved image/png\n");
        expect(readFileSync(file).subarray(1, 4).toString("latin1")).toBe("PNG");
      } finally {
        rmSync(file, { force: true });
      }
    });
  });
});

it("examples/README.md's line counts are the files' own", () => {
  const table = readFileSync(join(root, "examples/README.md"), "utf8");
  const names = ["list", "lifecycle", "define", "events", "host", "errors", "timeout", "screenshot"];
  const lines = (f: string): number => readFileSync(join(root, "examples", f), "utf8").trimEnd().split("\n").length;
  for (const n of names) {
    expect(table).toContain(`| [${n}](${n}.ts) | ${lines(`${n}.ts`)} | ${lines(`python/${n}.py`)} |`);
  }
});

