// `npm run bench:ssh`: time from connect() to the first reply
// (connectGetLibVersion) over SSH, against `virsh -c SAME_URI version`, on a
// throwaway daemon reached through a throwaway sshd on loopback (as root:
// sshd needs it). Runs alternate, ours then virsh's, so that a drift of this
// shared machine's speed falls on both; each figure is a median.
import { execFile } from "node:child_process";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { connect } from "../src/client/client.js";
import { startDaemon } from "../src/testing/daemon.js";
import { startSshd } from "../src/testing/sshd.js";

const run = promisify(execFile);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function oursOnce(uri: string): Promise<number> {
  const t0 = performance.now();
  const conn = await connect(uri);
  await conn.connectGetLibVersion();
  const ms = performance.now() - t0;
  await conn.close();
  return ms;
}

/** The whole virsh process: what a person or a script waits for. */
async function virshOnce(uri: string): Promise<number> {
  const t0 = performance.now();
  await run("virsh", ["-c", uri, "version"]);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("bench:ssh starts sshd and must run as root");
  const runs = Number(process.argv[2] ?? 21);
  const daemon = await startDaemon();
  const sshd = await startSshd({ libvirtRunDir: dirname(daemon.socket) });
  try {
    const base = `root@127.0.0.1:${sshd.port}/default`;
    const cases: [string, string][] = [
      ["+ssh (auto: virt-ssh-helper)", `test+ssh://${base}?command=${sshd.ssh}&keyfile=${sshd.clientKey}&no_tty=1`],
      ["+ssh (proxy=netcat)", `test+ssh://${base}?command=${sshd.ssh}&keyfile=${sshd.clientKey}&no_tty=1&proxy=netcat`],
      ["+libssh2 (in-process)", `test+libssh2://${base}?keyfile=${sshd.clientKey}&known_hosts=${sshd.knownHosts}&sshauth=privkey`],
    ];
    console.log(`connect() to first reply vs virsh -c URI version; median of ${runs} alternating runs each (ms)`);
    console.log(`${"transport".padEnd(30)} ${"ours".padStart(8)} ${"virsh".padStart(8)} ${"ratio".padStart(7)}`);
    for (const [label, uri] of cases) {
      await oursOnce(uri);
      await virshOnce(uri);
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < runs; i++) {
        ours.push(await oursOnce(uri));
        theirs.push(await virshOnce(uri));
      }
      const o = median(ours);
      const v = median(theirs);
      console.log(`${label.padEnd(30)} ${o.toFixed(1).padStart(8)} ${v.toFixed(1).padStart(8)} ${(o / v).toFixed(2).padStart(6)}x`);
    }
  } finally {
    await sshd.stop();
    await daemon.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
