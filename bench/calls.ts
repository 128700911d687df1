// `npm run bench:calls`: round trips and bulk replies against libvirt-python
// (the C client underneath), side by side on the same throwaway daemon, in
// one run, at libvirt's default max_client_requests (5) and raised to 64,
// over a Unix socket, TCP and TLS (certificates made for the run).
import { execFile } from "node:child_process";
import { mkdtempSync, chmodSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../protocol/fetch.js";
import { connect, type Client } from "../src/client/client.js";
import { startDaemon, type DaemonTls, type ThrowawayDaemon } from "../src/testing/daemon.js";
import { makeCert } from "../src/testing/pki.js";

const run = promisify(execFile);
const peer = join(repoRoot(), "bench/peers/libvirt_python.py");

interface Result {
  calls: number;
  seconds: number;
  callsPerSecond: number;
  cpuMicrosPerCall: number;
}

const dom = { name: "test", uuid: new Uint8Array(16), id: 1 };
const PROCS = {
  version: (c: Client) => c.connectGetLibVersion(),
  lookup: (c: Client) => c.domainLookupByName({ name: dom.name }),
};

/** `n` calls with `inFlight` of them outstanding at any time (1: sequential). */
async function ours(c: Client, proc: keyof typeof PROCS, n: number, inFlight: number): Promise<Result> {
  const f = PROCS[proc];
  for (let i = 0; i < 2000; i++) await f(c); // warm-up: until the JIT has settled
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      next++;
      await f(c);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { calls: n, seconds, callsPerSecond: n / seconds, cpuMicrosPerCall: (cpu.user + cpu.system) / n };
}

async function oursBulk(c: Client, n: number): Promise<Result> {
  await c.connectListAllDomains({ need_results: 1, flags: 0 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const { domains } = await c.connectListAllDomains({ need_results: 1, flags: 0 });
    if (domains.length < 1000) throw new Error("expected 1,000 domains");
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { calls: n, seconds, callsPerSecond: n / seconds, cpuMicrosPerCall: (cpu.user + cpu.system) / n };
}

async function python(uri: string, ...args: (string | number)[]): Promise<Result> {
  const { stdout } = await run("/usr/bin/python3", [peer, uri, ...args.map(String)], { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Result;
}

interface Row {
  setting: string;
  transport: string;
  what: string;
  client: string;
  r: Result;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Each figure is the median of three passes, ours and the peer taking turns,
 * so that a drift of this shared VM's speed falls on both alike.
 */
async function measure(d: ThrowawayDaemon, pkipath: string, setting: string, rows: Row[]): Promise<void> {
  const tls = `test+tls://localhost:${d.tlsPort}/default?pkipath=${pkipath}`;
  for (const [transport, uri] of [["unix", d.uris.testUnix], ["tcp", d.uris.testTcp], ["tls", tls]] as const) {
    const c = await connect(uri);
    const runs = new Map<string, Result[]>();
    const add = (what: string, client: string, r: Result): void => {
      const k = `${what}\u0000${client}`;
      runs.set(k, [...(runs.get(k) ?? []), r]);
    };
    for (let pass = 0; pass < 3; pass++) {
      for (const proc of ["version", "lookup"] as const) {
        add(`${proc} sequential`, "ours", await ours(c, proc, 3000, 1));
        add(`${proc} sequential`, "libvirt-python", await python(uri, "seq", proc, 3000));
      }
      for (const k of [1, 8, 64, 256]) add(`version, ${k} in flight`, "ours", await ours(c, "version", 10000, k));
      for (const k of [8, 32]) add(`version, ${k} threads`, "libvirt-python", await python(uri, "threads", "version", 10000, k));
      add("listAllDomains, 1,000 domains", "ours", await oursBulk(c, 100));
      add("listAllDomains, 1,000 domains", "libvirt-python", await python(uri, "bulk", 50));
    }
    for (const [k, rs] of runs) {
      const [what, client] = k.split("\u0000") as [string, string];
      const r = { calls: rs[0]!.calls, seconds: median(rs.map((x) => x.seconds)), callsPerSecond: median(rs.map((x) => x.callsPerSecond)), cpuMicrosPerCall: median(rs.map((x) => x.cpuMicrosPerCall)) };
      rows.push({ setting, transport, what, client, r });
    }
    await c.close();
  }
}

async function main(): Promise<void> {
  console.log(`calls bench: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores; node ${process.version}; libvirtd test driver over loopback`);
  const rows: Row[] = [];
  const { tls, pkipath, cleanup } = await benchPki();
  for (const max of [5, 64]) {
    const d = await startDaemon({ maxClientRequests: max, tls });
    try {
      const setup = await connect(d.uris.testTcp);
      // 999 more domains beside the driver's own "test": 1,000 for the bulk reply.
      await Promise.all(
        Array.from({ length: 999 }, (_, i) =>
          setup.domainDefineXml({ xml: `<domain type='test'><name>b${i}</name><memory>8192</memory><os><type>hvm</type></os></domain>` }),
        ),
      );
      await measure(d, pkipath, `max_client_requests=${max}`, rows);
      await setup.close();
    } finally {
      await d.stop();
    }
  }
  cleanup();
  report(rows);
}

/** A CA, a server certificate for localhost and a client certificate in libvirt's pkipath layout. */
async function benchPki(): Promise<{ tls: DaemonTls; pkipath: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "lr-bench-pki-"));
  chmodSync(dir, 0o755);
  const ca = await makeCert(dir, { name: "ca", subject: "/CN=bench CA", issuer: "self" });
  const server = await makeCert(dir, { name: "server", subject: "/CN=localhost", issuer: "ca", san: "DNS:localhost", usage: "server" });
  await makeCert(dir, { name: "client", subject: "/CN=client", issuer: "ca", usage: "client" });
  return { tls: { caFile: ca.cert, certFile: server.cert, keyFile: server.key }, pkipath: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function report(rows: Row[]): void {
  console.log("");
  console.log(["daemon setting", "transport", "what", "client", "calls/s", "client CPU µs/call"].join(" | "));
  for (const x of rows) {
    console.log([x.setting, x.transport, x.what, x.client, x.r.callsPerSecond.toFixed(0), x.r.cpuMicrosPerCall.toFixed(1)].join(" | "));
  }
  console.log("");
  const get = (setting: string, transport: string, what: string, client: string): Result | undefined =>
    rows.find((x) => x.setting === setting && x.transport === transport && x.what === what && x.client === client)?.r;
  for (const setting of new Set(rows.map((x) => x.setting))) {
    for (const transport of ["unix", "tcp", "tls"]) {
      const tag = `${setting} ${transport}`;
      for (const proc of ["version", "lookup"]) {
        const o = get(setting, transport, `${proc} sequential`, "ours")!;
        const p = get(setting, transport, `${proc} sequential`, "libvirt-python")!;
        console.log(`${tag}: ratio client CPU per ${proc} call ours/libvirt-python = ${(o.cpuMicrosPerCall / p.cpuMicrosPerCall).toFixed(2)} (lower is better; target <= 0.5)`);
        console.log(`${tag}: ratio sequential ${proc} calls/s ours/libvirt-python = ${(o.callsPerSecond / p.callsPerSecond).toFixed(2)} (higher is better; target >= 1.0)`);
      }
      const bestThreads = Math.max(...[8, 32].map((k) => get(setting, transport, `version, ${k} threads`, "libvirt-python")!.callsPerSecond));
      for (const k of [8, 64]) {
        const o = get(setting, transport, `version, ${k} in flight`, "ours")!;
        console.log(`${tag}: ratio calls/s with ${k} in flight ours/libvirt-python best threaded = ${(o.callsPerSecond / bestThreads).toFixed(2)} (higher is better; target >= 1.0)`);
      }
      const ob = get(setting, transport, "listAllDomains, 1,000 domains", "ours")!;
      const pb = get(setting, transport, "listAllDomains, 1,000 domains", "libvirt-python")!;
      console.log(`${tag}: ratio client CPU per 1,000-domain listAllDomains ours/libvirt-python = ${(ob.cpuMicrosPerCall / pb.cpuMicrosPerCall).toFixed(3)} (lower is better; target <= 0.1)`);
      console.log(`${tag}: client CPU per 1,000-domain listAllDomains ours = ${(ob.cpuMicrosPerCall / 1000).toFixed(3)} ms; ratio to go-libvirt's 0.8-1.0 ms (measured before the project) = ${(ob.cpuMicrosPerCall / 900).toFixed(2)} (lower is better; target <= 0.3)`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
