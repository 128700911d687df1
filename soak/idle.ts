// Idle soak: connections that sit silent for a long time against a daemon
// with libvirt's default keepalive (5 s, 5) must still work afterwards.

import { setTimeout as sleep } from "node:timers/promises";
import { connect, type Client, type ConnectOptions, type Transport } from "../src/index.js";
import { TcpTransport, UnixTransport } from "../src/transport/index.js";
import type { ThrowawayDaemon } from "../src/testing/daemon.js";
import { newCounts, tapKeepalive, type KeepaliveCounts } from "./tap.js";

export interface SoakResult {
  ok: boolean;
  line: string;
}

interface Variant {
  name: string;
  transport: Transport;
  uri: string;
  keepalive?: { interval: number; count: number };
  /** What the keepalive counts must show for an idle of this length. */
  expect: "exchanges" | "daemon-pings" | "none";
}

interface Conn {
  variant: Variant;
  counts: KeepaliveCounts;
  client: Client | null;
  closedAt: number | null;
  closeReason: string | null;
  problems: string[];
}

const CALL_TIMEOUT = 30_000;
const PROGRESS_EVERY = 60_000;

export async function idleSoak(d: ThrowawayDaemon, idleSeconds: number, log: (s: string) => void): Promise<SoakResult> {
  const tcp = (): Transport => new TcpTransport("127.0.0.1", d.tcpPort);
  // libvirtd pings a client only after it asked whether keepalive is
  // supported, i.e. only when the client enables keepalive itself.
  const variants: Variant[] = [
    // As virsh does: both sides ping after 5 s of silence.
    { name: "tcp ka 5/5", transport: tcp(), uri: d.uris.testTcp, keepalive: { interval: 5, count: 5 }, expect: "exchanges" },
    // Client pinging far too rarely to matter: only answering the daemon's PINGs keeps it alive.
    {
      name: "tcp answer-only",
      transport: tcp(),
      uri: d.uris.testTcp,
      keepalive: { interval: 3600, count: 5 },
      expect: "daemon-pings",
    },
    // No keepalive asked for: the daemon never pings; a plain idle TCP connection.
    { name: "tcp no-ka", transport: tcp(), uri: d.uris.testTcp, expect: "none" },
    { name: "unix ka 5/5", transport: new UnixTransport(d.socket), uri: d.uris.testUnix, keepalive: { interval: 5, count: 5 }, expect: "exchanges" },
  ];
  const conns: Conn[] = variants.map((variant) => ({
    variant,
    counts: newCounts(),
    client: null,
    closedAt: null,
    closeReason: null,
    problems: [],
  }));
  const t0 = Date.now();
  try {
    for (const c of conns) {
      const opts: ConnectOptions = { transport: tapKeepalive(c.variant.transport, c.counts), timeout: CALL_TIMEOUT };
      if (c.variant.keepalive !== undefined) opts.keepalive = c.variant.keepalive;
      const client = await connect(c.variant.uri, opts);
      c.client = client;
      void client.closed.then((info) => {
        c.closedAt = Date.now();
        c.closeReason = `${info.reason}: ${info.error.message}`;
      });
      if (c.variant.keepalive !== undefined && client.keepalive === null) c.problems.push("keepalive not agreed");
      await client.connectGetHostname();
    }
    const idleStart = Date.now();
    log(`idle: ${conns.length} connections open, idling ${idleSeconds} s`);
    // Do nothing but wait; wake only to report progress.
    const end = idleStart + idleSeconds * 1000;
    while (Date.now() < end) {
      await sleep(Math.min(PROGRESS_EVERY, end - Date.now()));
      if (Date.now() < end) {
        const open = conns.filter((c) => c.closedAt === null).length;
        log(`idle: ${((Date.now() - idleStart) / 1000).toFixed(0)}/${idleSeconds} s, ${open}/${conns.length} open`);
      }
    }
    const idled = (Date.now() - idleStart) / 1000;
    for (const c of conns) {
      if (c.closedAt !== null) {
        c.problems.push(`closed after ${((c.closedAt - idleStart) / 1000).toFixed(1)} s idle (${c.closeReason})`);
        continue;
      }
      try {
        await c.client!.connectGetHostname();
      } catch (e) {
        c.problems.push(`call after idle failed: ${(e as Error).message}`);
      }
      c.problems.push(...checkCounts(c, idled));
    }
    for (const c of conns) await c.client?.close();
    const ok = conns.every((c) => c.problems.length === 0);
    const parts = conns.map((c) => {
      const k = c.counts;
      const status = c.problems.length === 0 ? "ok" : `FAIL (${c.problems.join("; ")})`;
      return `${c.variant.name}: ping in/out ${k.pingsIn}/${k.pingsOut}, pong in/out ${k.pongsIn}/${k.pongsOut}, ${status}`;
    });
    return {
      ok,
      line: `idle: ${ok ? "PASS" : "FAIL"} ${idled.toFixed(1)} s idle (${((Date.now() - t0) / 1000).toFixed(1)} s total); ${parts.join(" | ")}`,
    };
  } catch (e) {
    return { ok: false, line: `idle: FAIL ${(e as Error).stack ?? String(e)}` };
  } finally {
    for (const c of conns) c.client?.destroy();
  }
}

/** Every PING seen must have been answered; and keepalive must have been exercised if the idle was long enough. */
function checkCounts(c: Conn, idled: number): string[] {
  const k = c.counts;
  const problems: string[] = [];
  // Our PONG is written synchronously on receipt of the PING.
  if (k.pongsOut !== k.pingsIn) problems.push(`${k.pingsIn} PINGs from the daemon but ${k.pongsOut} PONGs sent`);
  // The PONG to our last PING may still be on its way.
  if (k.pongsIn < k.pingsOut - 1) problems.push(`${k.pingsOut} PINGs sent but only ${k.pongsIn} PONGs back`);
  // Two intervals of libvirt's default 5 s leave room for at least one PING.
  const long = idled >= 12;
  switch (c.variant.expect) {
    case "exchanges":
      if (long && k.pingsIn + k.pingsOut === 0) problems.push("no keepalive traffic seen");
      break;
    case "daemon-pings":
      if (long && k.pingsIn === 0) problems.push("the daemon never pinged");
      if (k.pingsOut !== 0) problems.push(`the client pinged ${k.pingsOut} times`);
      break;
    case "none":
      if (k.pingsIn + k.pingsOut + k.pongsIn + k.pongsOut !== 0) problems.push("keepalive traffic without keepalive");
      break;
  }
  return problems;
}
