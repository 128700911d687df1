// `npm run bench:streams`: volume download and upload against virsh
// (vol-download / vol-upload) and libvirt-python (stream.recvAll / sendAll)
// on the same volume of the same throwaway daemon, in one run; the 1 GiB
// sparse volume (1% data) against virsh --sparse; and what a paused
// consumer costs the other calls of its connection.
//
// `node dist/bench/streams.js rss URI POOL VOL MIB_PER_S` is the paced
// consumer alone: it downloads VOL reading MIB_PER_S and prints its peak
// RSS as JSON (the e2e test runs it on 64 MiB; README figures come from
// 512 MiB at 1 MiB/s).
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdtemp, open, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { repoRoot } from "../protocol/fetch.js";
import { connect, type Client } from "../src/client/client.js";
import type { RemoteNonnullStorageVol } from "../src/gen/remote_protocol.js";
import { readSparseFile, writeSparseFile } from "../src/streams/sparse.js";
import { startDaemon } from "../src/testing/daemon.js";

const run = promisify(execFile);
const MiB = 1024 * 1024;
const peer = join(repoRoot(), "bench/peers/libvirt_python_stream.py");
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

async function volume(c: Client, pool: string, name: string): Promise<RemoteNonnullStorageVol> {
  const { pool: p } = await c.storagePoolLookupByName({ name: pool });
  return (await c.storageVolLookupByName({ pool: p, name })).vol;
}

/** The paced consumer: reads `rate` MiB/s of a download and samples its own RSS. */
async function rss(uri: string, pool: string, name: string, rate: number): Promise<void> {
  const c = await connect(uri);
  const vol = await volume(c, pool, name);
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  const baselineArrayBuffers = process.memoryUsage().arrayBuffers;
  let peak = baseline;
  let peakArrayBuffers = 0;
  let peakLive = 0;
  let ticks = 0;
  const sampler = setInterval(() => {
    // Every tenth sample after a full GC (with --expose-gc): what is really held, garbage aside.
    if (++ticks % 10 === 0 && global.gc !== undefined) {
      global.gc();
      peakLive = Math.max(peakLive, process.memoryUsage().arrayBuffers);
    }
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
  }, 20);
  const t0 = performance.now();
  const stream = await c.storageVolDownload({ vol, offset: 0n, length: 0n, flags: 0 });
  let bytes = 0;
  // Reads in 256 KiB steps, each step waiting for its share of the second.
  for await (const chunk of stream) {
    bytes += (chunk as Buffer).length;
    const due = (bytes / (rate * MiB)) * 1000 - (performance.now() - t0);
    if (due > 0) await new Promise((r) => setTimeout(r, due));
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const { streamPauses, streamPausedMs } = c.stats;
  await c.close();
  console.log(JSON.stringify({ bytes, seconds: (performance.now() - t0) / 1000, baselineRss: baseline, peakRss: peak, baselineArrayBuffers, peakArrayBuffers, peakLiveArrayBuffers: peakLive, streamPauses, streamPausedMs }));
}

async function sha256(path: string): Promise<string> {
  const h = createHash("sha256");
  await pipeline(createReadStream(path), h);
  return h.digest("hex");
}

async function main(): Promise<void> {
  const d = await startDaemon();
  // BENCH_DIR=/dev/shm puts files and pool in memory: the disk then plays no part,
  // and the clients compete for the two cores with the daemon writing to tmpfs instead.
  const base = process.env["BENCH_DIR"] ?? tmpdir();
  const dir = await mkdtemp(join(base, "lr-bench-streams-"));
  console.log(`streams bench: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores; node ${process.version}; libvirtd 9.0, dir pool and files in ${base}, TCP loopback`);
  await chmod(dir, 0o777);
  const uri = d.uris.qemuTcp;
  const c = await connect(uri);
  try {
    const poolDir = join(dir, "pool");
    const { pool } = await c.storagePoolCreateXml({ xml: `<pool type='dir'><name>bench</name><target><path>${poolDir}</path></target></pool>`, flags: 1 });
    await chmod(poolDir, 0o777);
    const SIZE = 512 * MiB;
    const dense = join(dir, "dense.img");
    {
      const f = await open(dense, "w");
      for (let at = 0; at < SIZE; at += 16 * MiB) await f.write(randomBytes(16 * MiB), 0, 16 * MiB, at);
      await f.close();
      await chmod(dense, 0o644);
    }
    const create = async (name: string, bytes: number): Promise<RemoteNonnullStorageVol> =>
      (await c.storageVolCreateXml({ pool, xml: `<volume><name>${name}</name><capacity>${bytes}</capacity><target><format type='raw'/></target></volume>`, flags: 0 })).vol;
    const vol = await create("dense", SIZE);
    await c.storageVolUpload({ vol, offset: 0n, length: 0n, flags: 0 }, createReadStream(dense, { highWaterMark: 4 * MiB }));
    const want = await sha256(dense);
    const out = join(dir, "out.img");
    const rows: { what: string; client: string; secs: number[] }[] = [];
    const add = (what: string, client: string, secs: number): void => {
      let r = rows.find((x) => x.what === what && x.client === client);
      if (r === undefined) rows.push((r = { what, client, secs: [] }));
      r.secs.push(secs);
    };
    const check = async (what: string): Promise<void> => {
      if ((await sha256(out)) !== want) throw new Error(`MISMATCH: ${what} produced different bytes`);
    };
    const downloads: [string, () => Promise<number>][] = [
      ["ours", () => timed(async () => pipeline(await c.storageVolDownload({ vol, offset: 0n, length: 0n, flags: 0 }), createWriteStream(out, { highWaterMark: 4 * MiB })))],
      ["virsh", () => timed(() => run("virsh", ["-c", uri, "vol-download", "--pool", "bench", "dense", out]))],
      ["libvirt-python", async () => (JSON.parse((await run("/usr/bin/python3", [peer, uri, "bench", "dense", "download", out])).stdout) as { seconds: number }).seconds],
    ];
    const uploads: [string, () => Promise<number>][] = [
      ["ours", () => timed(() => c.storageVolUpload({ vol, offset: 0n, length: 0n, flags: 0 }, createReadStream(dense, { highWaterMark: 4 * MiB })))],
      ["virsh", () => timed(() => run("virsh", ["-c", uri, "vol-upload", "--pool", "bench", "dense", dense]))],
      ["libvirt-python", async () => (JSON.parse((await run("/usr/bin/python3", [peer, uri, "bench", "dense", "upload", dense])).stdout) as { seconds: number }).seconds],
    ];
    // Each transfer starts with the page cache's dirty data written out (`sync`,
    // untimed): otherwise the writeback of what the previous one wrote falls on
    // whoever comes next. The order also turns each pass.
    const turn = <T>(xs: T[], pass: number): T[] => [...xs.slice(pass % xs.length), ...xs.slice(0, pass % xs.length)];
    for (let pass = 0; pass < 3; pass++) {
      for (const [client, go] of turn(downloads, pass)) {
        await run("sync");
        add("download 512 MiB", client, await go());
        await check(`${client} download`);
      }
      for (const [client, go] of turn(uploads, pass)) {
        await run("sync");
        add("upload 512 MiB", client, await go());
      }
    }
    await pipeline(await c.storageVolDownload({ vol, offset: 0n, length: 0n, flags: 0 }), createWriteStream(out, { highWaterMark: 4 * MiB }));
    await check("uploads");

    // 1 GiB, 1% data: ten random MiB, one every ~100 MiB.
    const GiB = 1024 * MiB;
    const sparse = join(dir, "sparse.img");
    {
      const f = await open(sparse, "w");
      for (let i = 0; i < 10; i++) await f.write(randomBytes(MiB), 0, MiB, i * 100 * MiB + 3 * MiB);
      await f.truncate(GiB);
      await f.close();
      await chmod(sparse, 0o644);
    }
    const svol = await create("sparse", GiB);
    await c.storageVolUpload({ vol: svol, offset: 0n, length: 0n, flags: 1 }, readSparseFile(sparse));
    const swant = await sha256(sparse);
    for (let pass = 0; pass < 3; pass++) {
      await rm(out, { force: true });
      add("sparse download 1 GiB", "ours --sparse", await timed(async () => writeSparseFile(await c.storageVolDownload({ vol: svol, offset: 0n, length: 0n, flags: 1 }, { holes: "records" }), out)));
      if ((await sha256(out)) !== swant) throw new Error("MISMATCH: sparse download");
      await rm(out, { force: true });
      add("sparse download 1 GiB", "virsh --sparse", await timed(() => run("virsh", ["-c", uri, "vol-download", "--sparse", "--pool", "bench", "sparse", out])));
      add("sparse upload 1 GiB", "ours --sparse", await timed(() => c.storageVolUpload({ vol: svol, offset: 0n, length: 0n, flags: 1 }, readSparseFile(sparse))));
      add("sparse upload 1 GiB", "virsh --sparse", await timed(() => run("virsh", ["-c", uri, "vol-upload", "--sparse", "--pool", "bench", "sparse", sparse])));
    }
    await rm(out, { force: true });
    add("dense download 1 GiB (same volume)", "ours", await timed(async () => pipeline(await c.storageVolDownload({ vol: svol, offset: 0n, length: 0n, flags: 0 }), createWriteStream(out, { highWaterMark: 4 * MiB }))));

    // The trade-off: calls on the connection of a paused consumer.
    const paused = await pausedCalls(uri, "bench", "dense");

    console.log("");
    console.log(["what", "client", "seconds (median of 3)", "MB/s", "each pass"].join(" | "));
    const size = (what: string): number => (what.includes("512") ? SIZE : GiB);
    for (const r of rows) console.log([r.what, r.client, median(r.secs).toFixed(2), ((size(r.what) / median(r.secs)) / 1e6).toFixed(0), r.secs.map((x) => x.toFixed(2)).join(" ")].join(" | "));
    console.log("");
    const get = (what: string, client: string): number => median(rows.find((x) => x.what === what && x.client === client)!.secs);
    for (const what of ["download 512 MiB", "upload 512 MiB"]) {
      for (const peerName of ["virsh", "libvirt-python"]) {
        console.log(`ratio ${what} MB/s ours/${peerName} = ${(get(what, peerName) / get(what, "ours")).toFixed(2)} (higher is better; target >= 1.0)`);
      }
    }
    console.log(`ratio sparse download 1 GiB time ours/virsh --sparse = ${(get("sparse download 1 GiB", "ours --sparse") / get("sparse download 1 GiB", "virsh --sparse")).toFixed(2)} (lower is better)`);
    console.log(`ratio sparse upload 1 GiB time ours/virsh --sparse = ${(get("sparse upload 1 GiB", "ours --sparse") / get("sparse upload 1 GiB", "virsh --sparse")).toFixed(2)} (lower is better)`);
    console.log(`ratio sparse/dense download of the 1 GiB volume, ours = ${(get("sparse download 1 GiB", "ours --sparse") / get("dense download 1 GiB (same volume)", "ours")).toFixed(3)}`);
    console.log(
      `paused consumer: ${paused.answered} calls answered while a 512 MiB download's consumer read nothing (one every 50 ms): ` +
        `median ${paused.median.toFixed(1)} ms, max ${paused.max.toFixed(1)} ms; ${(paused.overflowPeak / MiB).toFixed(1)} MiB read past the full consumer (dig limit 32 MiB); ` +
        (paused.stalled ? `then a call waited, answered ${paused.releasedAfterMs.toFixed(0)} ms after the consumer let go` : "no call waited"),
    );
    await c.storagePoolDestroy({ pool });
  } finally {
    await c.close();
    await d.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Calls on the connection of a download whose consumer reads nothing: each
 * call makes the session read on past the full consumer to its reply, until
 * 32 MiB have gone that way; then calls wait until the consumer lets go.
 */
async function pausedCalls(uri: string, pool: string, name: string): Promise<{ answered: number; median: number; max: number; overflowPeak: number; stalled: boolean; releasedAfterMs: number }> {
  const c = await connect(uri);
  const vol = await volume(c, pool, name);
  const stream = await c.storageVolDownload({ vol, offset: 0n, length: 0n, flags: 0 });
  await new Promise((r) => setTimeout(r, 500)); // the consumer is full and reading has stopped
  const times: number[] = [];
  let stalled: Promise<unknown> | null = null;
  for (let i = 0; i < 50 && stalled === null; i++) {
    const t0 = performance.now();
    const call = c.connectGetLibVersion();
    const answered = await Promise.race([call.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
    if (answered) times.push(performance.now() - t0);
    else stalled = call;
    await new Promise((r) => setTimeout(r, 50));
  }
  const overflowPeak = c.stats.streamOverflowPeak;
  const t1 = performance.now();
  stream.destroy();
  if (stalled !== null) await stalled;
  const releasedAfterMs = performance.now() - t1;
  await new Promise((r) => (stream.closed ? r(undefined) : stream.once("close", r)));
  await c.close();
  return { answered: times.length, median: median(times), max: Math.max(...times), overflowPeak, stalled: stalled !== null, releasedAfterMs };
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "rss") {
  const [uri, pool, vol, rate] = rest as [string, string, string, string];
  await rss(uri, pool, vol, Number(rate));
} else {
  await main();
}


