// `npm run bench:sasl`: calls through SASL DIGEST-MD5 with its
// confidentiality layer (rc4, as libvirtd's Cyrus SASL negotiates it on
// plain TCP), against libvirt-python (the C client and Cyrus SASL
// underneath) through the same daemon and mechanism, in one run; the same
// workloads over plain TCP without authentication show what the layer costs.
import { execFile } from "node:child_process";
import { mkdtempSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../protocol/fetch.js";
import { connect, type Client } from "../src/client/client.js";
import { startDaemon } from "../src/testing/daemon.js";
import { makeSaslConfig } from "../src/testing/sasl.js";

const run = promisify(execFile);
const peer = join(repoRoot(), "bench/peers/libvirt_python_sasl.py");
const USER = "bench";
const PASSWORD = "bench-sasl-password";

interface Result {
  calls: number;
  seconds: number;
  callsPerSecond: number;
  cpuMicrosPerCall: number;
}

async function timed(n: number, body: () => Promise<void>): Promise<Result> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await body();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { calls: n, seconds, callsPerSecond: n / seconds, cpuMicrosPerCall: (cpu.user + cpu.system) / n };
}

async function seq(c: Client, n: number): Promise<Result> {
  for (let i = 0; i < 2000; i++) await c.connectGetLibVersion();
  return timed(n, async () => {
    for (let i = 0; i < n; i++) await c.connectGetLibVersion();
  });
}

async function inFlight(c: Client, n: number, k: number): Promise<Result> {
  for (let i = 0; i < 2000; i++) await c.connectGetLibVersion();
  let next = 0;
  return timed(n, async () => {
    await Promise.all(
      Array.from({ length: k }, async () => {
        while (next++ < n) await c.connectGetLibVersion();
      }),
    );
  });
}

async function bulk(c: Client, n: number): Promise<Result> {
  await c.connectListAllDomains({ need_results: 1, flags: 0 });
  return timed(n, async () => {
    for (let i = 0; i < n; i++) {
      const { domains } = await c.connectListAllDomains({ need_results: 1, flags: 0 });
      if (domains.length < 1000) throw new Error("expected 1,000 domains");
    }
  });
}

async function python(uri: string, ...args: (string | number)[]): Promise<Result> {
  const { stdout } = await run("/usr/bin/python3", [peer, uri, ...args.map(String)], {
    encoding: "utf8",
    env: { ...process.env, BENCH_SASL_USER: USER, BENCH_SASL_PASSWORD: PASSWORD },
  });
  return JSON.parse(stdout) as Result;
}

const median = (rs: Result[]): Result => [...rs].sort((a, b) => a.callsPerSecond - b.callsPerSecond)[Math.floor(rs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "lr-bench-sasl-"));
  chmodSync(dir, 0o755);
  const sasl = await makeSaslConfig(join(dir, "sasl"), { [USER]: PASSWORD }, ["digest-md5"]);
  const daemon = await startDaemon({ extraConfig: ['auth_tcp = "sasl"'], env: { SASL_CONF_PATH: sasl.confPath }, maxClientRequests: 64 });
  const open = await startDaemon({ maxClientRequests: 64 });
  const rows: [string, string, Result][] = [];
  try {
    const uri = `test+tcp://127.0.0.1:${daemon.tcpPort}/default`;
    const ours = await connect(uri, { auth: { username: USER, password: PASSWORD }, keepalive: false });
    const plain = await connect(open.uris.testTcp, { keepalive: false });
    for (const c of [ours, plain]) {
      for (let i = 0; i < 1000; i++) await c.domainDefineXml({ xml: `<domain type='test'><name>b${i}</name><memory>8192</memory><os><type>hvm</type></os></domain>` });
    }
    const passes = 3;
    const add = async (label: string, mk: () => Promise<[Result, Result, Result]>): Promise<void> => {
      const got: [Result[], Result[], Result[]] = [[], [], []];
      for (let p = 0; p < passes; p++) (await mk()).forEach((r, i) => got[i]!.push(r));
      rows.push([label, "ours, DIGEST-MD5 rc4", median(got[0])], [label, "libvirt-python, DIGEST-MD5 rc4", median(got[1])], [label, "ours, TCP without auth", median(got[2])]);
    };
    await add("getLibVersion sequential", async () => [await seq(ours, 5000), await python(uri, "seq", "version", 5000), await seq(plain, 5000)]);
    await add("getLibVersion, 32 in flight / threads", async () => [await inFlight(ours, 20000, 32), await python(uri, "threads", "version", 20000, 32), await inFlight(plain, 20000, 32)]);
    await add("listAllDomains, 1,000 domains", async () => [await bulk(ours, 50), await python(uri, "bulk", 50), await bulk(plain, 50)]);
    await ours.close();
    await plain.close();
  } finally {
    await daemon.stop();
    await open.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log("| workload | client | calls/s | client CPU µs/call |\n| --- | --- | ---: | ---: |");
  for (const [w, who, r] of rows) console.log(`| ${w} | ${who} | ${r.callsPerSecond.toFixed(0)} | ${r.cpuMicrosPerCall.toFixed(1)} |`);
  for (const w of [...new Set(rows.map(([x]) => x))]) {
    const o = rows.find(([x, who]) => x === w && who.startsWith("ours, DIGEST"))![2];
    const p = rows.find(([x, who]) => x === w && who.startsWith("libvirt-python"))![2];
    console.log(`${w}: ratio calls/s ours/libvirt-python = ${(o.callsPerSecond / p.callsPerSecond).toFixed(2)} (higher is better); client CPU per call ours/libvirt-python = ${(o.cpuMicrosPerCall / p.cpuMicrosPerCall).toFixed(2)} (lower is better)`);
  }
}

await main();
