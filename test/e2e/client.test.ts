import { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { AbortError, LibvirtError, TimeoutError } from "../../src/rpc/errors.js";
import { TcpTransport } from "../../src/transport/socket.js";
import type { Transport } from "../../src/transport/transport.js";
import { daemonVersionFromEnv } from "../../src/testing/prefix.js";
import { parseUri } from "../../src/uri.js";
import { python, sharedDaemon, uniqueName, virsh, virshFails } from "./daemon.js";

const daemon = sharedDaemon();

/** `9000000` -> `9.0.0`, libvirt's version encoding. */
function version(n: bigint): string {
  const v = Number(n);
  return `${Math.floor(v / 1_000_000)}.${Math.floor(v / 1000) % 1000}.${v % 1000}`;
}

/** The daemon's hostname, as virsh prints it. */
async function virshHostname(): Promise<string> {
  return (await virsh(daemon!.uris.testTcp, "hostname")).trim();
}

/** virsh's `Key:   value` lines as a map. */
function fields(text: string): Map<string, string> {
  return new Map(
    text
      .split("\n")
      .map((l) => /^([^:]+):\s+(.*)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1]!.trim(), m[2]!.trim()]),
  );
}

function domainXml(driver: "test" | "qemu", name: string): string {
  const os = driver === "qemu" ? "<type arch='x86_64' machine='pc'>hvm</type>" : "<type arch='x86_64'>hvm</type>";
  const devices = driver === "qemu" ? "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>" : "";
  return `<domain type='${driver}'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os>${os}</os>${devices}</domain>`;
}

/**
 * TCP to the daemon, with every chunk from it delivered `lag.ms` late: replies that are always slower than a
 * short deadline. The lag can be raised after connecting, so that the handshake stays quick.
 */
function delayedReplies(uri: string, lag: { ms: number }): Transport {
  const u = parseUri(uri);
  const inner = new TcpTransport(u.host!, u.port!);
  return {
    description: `delayed ${inner.description}`,
    async connect() {
      const socket = await inner.connect();
      const delayed = new Duplex({
        read() {},
        write(chunk: Uint8Array, _enc, done) {
          socket.write(chunk, done);
        },
        final(done) {
          socket.end();
          done();
        },
        destroy(err, done) {
          socket.destroy();
          done(err);
        },
      });
      socket.on("data", (c: Uint8Array) => setTimeout(() => delayed.push(c), lag.ms));
      socket.on("end", () => setTimeout(() => delayed.push(null), lag.ms));
      return delayed;
    },
  };
}

const targets = daemon === null ? [] : [
  { driver: "test" as const, transport: "tcp", uri: daemon.uris.testTcp },
  { driver: "test" as const, transport: "unix", uri: daemon.uris.testUnix },
  { driver: "qemu" as const, transport: "tcp", uri: daemon.uris.qemuTcp },
  { driver: "qemu" as const, transport: "unix", uri: daemon.uris.qemuUnix },
];

describe.skipIf(daemon === null)("against a real libvirtd", () => {
  describe.each(targets)("$driver driver over $transport", ({ driver, uri }) => {
    let client: Client;
    beforeAll(async () => {
      client = await connect(uri);
    });
    afterAll(async () => {
      await client.close();
    });

    it("reports the versions virsh prints", async () => {
      // The daemon's own version: virsh's library is the system's, which the daemon need not be (LIBVIRT_E2E_DAEMON=11.3).
      const v = fields(await virsh(uri, "version", "--daemon"));
      const { lib_ver } = await client.connectGetLibVersion();
      const { hv_ver } = await client.connectGetVersion();
      expect(version(lib_ver)).toBe(v.get("Running against daemon"));
      expect(v.get("Running hypervisor")).toBe(`${driver === "test" ? "TEST" : "QEMU"} ${version(hv_ver)}`);
    });

    it("reports the hostname and the driver virsh prints", async () => {
      expect((await client.connectGetHostname()).hostname).toBe((await virsh(uri, "hostname")).trim());
      // "Using API: TEST 9.0.0": the driver's name, then virsh's own library version.
      const api = fields(await virsh(uri, "version")).get("Using API");
      expect(api?.split(" ")[0]).toBe((await client.connectGetType()).type);
    });

    it("reports the node info virsh prints, field by field", async () => {
      const v = fields(await virsh(uri, "nodeinfo"));
      const info = await client.nodeGetInfo();
      const model = String.fromCharCode(...info.model.slice(0, info.model.indexOf(0)));
      expect({
        "CPU model": model,
        "CPU(s)": String(info.cpus),
        "CPU frequency": `${info.mhz} MHz`,
        "CPU socket(s)": String(info.sockets),
        "Core(s) per socket": String(info.cores),
        "Thread(s) per core": String(info.threads),
        "NUMA cell(s)": String(info.nodes),
        "Memory size": `${info.memory} KiB`,
      }).toEqual(Object.fromEntries(v));
    });

    it("lists the domains virsh lists", async () => {
      const { domains } = await client.connectListAllDomains({ need_results: 1, flags: 0 });
      const names = (await virsh(uri, "list", "--all", "--name")).split("\n").filter((l) => l !== "");
      expect(domains.map((d) => d.name).sort()).toEqual(names.sort());
    });

    it("defines, starts, suspends, resumes, destroys and undefines a domain, as virsh sees it", async () => {
      const name = uniqueName(`life-${driver}`);
      const state = async (): Promise<string> => (await virsh(uri, "domstate", name)).trim();
      const { dom } = await client.domainDefineXml({ xml: domainXml(driver, name) });
      expect(dom.name).toBe(name);
      expect(await state()).toBe("shut off");
      await client.domainCreate({ dom });
      expect(await state()).toBe("running");
      await client.domainSuspend({ dom });
      expect(await state()).toBe("paused");
      await client.domainResume({ dom });
      expect(await state()).toBe("running");
      await client.domainDestroy({ dom });
      expect(await state()).toBe("shut off");
      await client.domainUndefine({ dom });
      expect((await virshFails(uri, "domstate", name)).stderr).toContain(`failed to get domain '${name}'`);
    });

    it("rejects a missing domain with VIR_ERR_NO_DOMAIN and libvirt's own message", async () => {
      const name = uniqueName("missing");
      const err = await client.domainLookupByName({ name }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LibvirtError);
      const e = err as LibvirtError;
      expect(e.code).toBe("VIR_ERR_NO_DOMAIN");
      expect(e.number).toBe(42);
      expect(e.domain).toBe(driver === "test" ? "VIR_FROM_TEST" : "VIR_FROM_QEMU");
      // libvirt-python goes through the C client: its message is the daemon's, as ours must be.
      const py = await python(
        "import libvirt,sys\ntry:\n libvirt.open(sys.argv[1]).lookupByName(sys.argv[2])\nexcept libvirt.libvirtError as e:\n print(e.get_error_code(), e)",
        uri,
        name,
      );
      expect(py.trim()).toBe(`42 ${e.message}`);
      const v = await virshFails(uri, "dominfo", name);
      expect([v.code, v.stderr.trim()]).toEqual([1, `error: failed to get domain '${name}'`]);
    });
  });

  describe("many calls on one connection", () => {
    let client: Client;
    const names: string[] = [];
    beforeAll(async () => {
      client = await connect(daemon!.uris.testTcp);
      for (let i = 0; i < 20; i++) {
        const name = uniqueName(`many${i}`);
        await client.domainDefineXml({ xml: domainXml("test", name) });
        names.push(name);
      }
    });
    afterAll(async () => {
      for (const name of names) await client.domainUndefine({ dom: (await client.domainLookupByName({ name })).dom });
      await client.close();
    });

    it("10,000 calls issued at once all resolve, each with its own correct result", async () => {
      const calls = Array.from({ length: 10_000 }, (_, i) => client.domainLookupByName({ name: names[i % names.length]! }));
      const results = await Promise.all(calls);
      results.forEach((r, i) => expect(r.dom.name).toBe(names[i % names.length]));
      expect(client.stats.lateReplies).toBe(0);
    });
  });

  describe("procedures the daemon does not have", () => {
    // libvirt 11.3 has the procedure; test/e2e/v11.test.ts checks both sides of what 9.0 lacks.
    it.skipIf(daemonVersionFromEnv() === "11.3")("a procedure added after libvirt 9.0 rejects with a LibvirtError, without hanging", async () => {
      const client = await connect(daemon!.uris.testTcp);
      // DOMAIN_DEL_THROTTLE_GROUP (452) came in libvirt 11.2; the tests run a 9.0 daemon.
      expect(remoteProgram.procedures.domainDelThrottleGroup.number).toBe(452);
      const dom = { name: "test", uuid: new Uint8Array(16), id: 1 };
      const err = await client.domainDelThrottleGroup({ dom, group: null, flags: 0 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LibvirtError);
      expect((err as LibvirtError).domain).toBe("VIR_FROM_RPC");
      expect(await client.connectGetHostname()).toEqual({ hostname: await virshHostname() });
      await client.close();
    });
  });

  describe("per-call deadlines", () => {
    it("a timeout rejects near the deadline; the late reply is dropped and the connection goes on", async () => {
      // Every reply is held 3 s on its way in, so a 1 ms deadline always passes first; the bound on how late
      // the rejection comes is a safety limit well under the reply's lag, not a measure (a busy machine
      // delays timers by tens of ms).
      const lag = { ms: 30 };
      const client = await connect(daemon!.uris.qemuTcp, { transport: delayedReplies(daemon!.uris.qemuTcp, lag) });
      lag.ms = 3000;
      const started = performance.now();
      const err = await client.connectGetCapabilities({ timeout: 1 }).catch((e: unknown) => e);
      const late = performance.now() - started - 1;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(late).toBeLessThan(1500);
      console.log(`a 1 ms deadline rejected ${late.toFixed(1)} ms late`);
      await expect.poll(() => client.stats.lateReplies, { timeout: 10_000 }).toBe(1);
      expect(await client.connectGetHostname()).toEqual({ hostname: await virshHostname() });
      await client.close();
    });

    it("an abort rejects at once with AbortError; the late reply is dropped", async () => {
      const lag = { ms: 30 };
      const client = await connect(daemon!.uris.qemuTcp, { transport: delayedReplies(daemon!.uris.qemuTcp, lag) });
      lag.ms = 3000;
      const ac = new AbortController();
      const pending = client.connectGetCapabilities({ signal: ac.signal });
      // Once the call has left: a call aborted before its frame is written is simply never sent.
      await new Promise((r) => setImmediate(r));
      const started = performance.now();
      ac.abort();
      const err = await pending.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AbortError);
      // At once, not when the reply comes 3 s later: the bound is a safety limit, the figure is printed.
      const took = performance.now() - started;
      expect(took).toBeLessThan(1500);
      console.log(`an abort rejected the call in ${took.toFixed(1)} ms`);
      await expect.poll(() => client.stats.lateReplies, { timeout: 10_000 }).toBe(1);
      await client.close();
    });
  });
});
