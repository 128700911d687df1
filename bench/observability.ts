// `npm run bench:observability`: what tracing costs per call. One run, three
// sessions over in-memory peers that answer CONNECT_GET_LIB_VERSION at once
// (no daemon: its noise would hide a cost of nanoseconds):
//   stubbed  - the built session with every trace hook replaced by a no-op
//              (a copy of dist/src/rpc/session.js importing a stub module),
//   idle     - the real session, nobody listening (NODE_DEBUG unset, no subscriber),
//   traced   - the real session with subscribers on every call channel.
// Rounds alternate between the three; the median calls/s of each and the
// ratios to `stubbed` are printed.
import diagnostics from "node:diagnostics_channel";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { remoteProgram } from "../src/gen/remote_protocol.js";
import type { RpcSession } from "../src/rpc/session.js";
import { memoryPair } from "../src/transport/memory.js";

const dist = join(import.meta.dirname, "../src/rpc");
const CALLS = 100_000;
const CONCURRENCY = 64;
const ROUNDS = 9;

type SessionClass = typeof RpcSession;

/** The session module as built, but with `./trace.js` swapped for no-ops. */
async function stubbedSession(): Promise<{ cls: SessionClass; cleanup(): void }> {
  const stub = join(dist, "trace.bench-stub.js");
  const copy = join(dist, "session.bench-stub.js");
  writeFileSync(
    stub,
    [
      "export function nextId() { return 0; }",
      "export function callStarted() { return undefined; }",
      "export function follow(_span, reply) { return reply; }",
      "export function closed() {}",
      "export function event() {}",
      "export function keepalive() {}",
    ].join("\n"),
  );
  const source = readFileSync(join(dist, "session.js"), "utf8");
  if (!source.includes('from "./trace.js"')) throw new Error("session.js does not import ./trace.js: the stub would change nothing");
  writeFileSync(copy, source.replace('from "./trace.js"', 'from "./trace.bench-stub.js"'));
  const mod = (await import(pathToFileURL(copy).href)) as { RpcSession: SessionClass };
  return {
    cls: mod.RpcSession,
    cleanup: () => {
      rmSync(stub, { force: true });
      rmSync(copy, { force: true });
    },
  };
}

/** A peer that answers every call with OK and an 8-byte `hyper` (lib_ver), as fast as it can. */
function echoPeer(peer: import("node:stream").Duplex): void {
  let buf: Buffer = Buffer.alloc(0);
  peer.on("data", (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    const out: Buffer[] = [];
    while (buf.length >= 4) {
      const len = buf.readUInt32BE(0);
      if (buf.length < len) break;
      const reply = Buffer.alloc(36);
      buf.copy(reply, 0, 0, 28);
      reply.writeUInt32BE(36, 0);
      reply.writeInt32BE(1, 16); // VIR_NET_REPLY
      reply.writeInt32BE(0, 24); // VIR_NET_OK
      reply.writeBigUInt64BE(9_000_000n, 28);
      out.push(reply);
      buf = buf.subarray(len);
    }
    if (out.length > 0) peer.write(Buffer.concat(out));
  });
}

async function round(cls: SessionClass): Promise<number> {
  const [client, server] = memoryPair();
  echoPeer(server);
  const session = new cls(client, { programs: [remoteProgram] });
  const proc = remoteProgram.procedures.connectGetLibVersion;
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CALLS) {
        const { lib_ver } = (await session.call(remoteProgram, proc, undefined)) as { lib_ver: bigint };
        if (lib_ver !== 9_000_000n) throw new Error(`unexpected reply ${lib_ver}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  session.destroy("client", "bench done");
  return CALLS / seconds;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const real = (await import("../src/rpc/session.js")).RpcSession;
const stubbed = await stubbedSession();
const subscribers = ["libvirt-remote:call:start", "libvirt-remote:call:end", "libvirt-remote:call:error"];
let seen = 0;
const count = (): void => void seen++;
const results: Record<"stubbed" | "idle" | "traced", number[]> = { stubbed: [], idle: [], traced: [] };
try {
  if (process.env["NODE_DEBUG"]?.includes("libvirt-remote")) throw new Error("unset NODE_DEBUG: the idle case must have nobody listening");
  // Warm-up: every path compiled before anything is measured.
  await round(stubbed.cls);
  await round(real);
  for (let r = 0; r < ROUNDS; r++) {
    results.stubbed.push(await round(stubbed.cls));
    results.idle.push(await round(real));
    for (const c of subscribers) diagnostics.subscribe(c, count);
    results.traced.push(await round(real));
    for (const c of subscribers) diagnostics.unsubscribe(c, count);
  }
} finally {
  stubbed.cleanup();
}
if (seen !== ROUNDS * CALLS * 2) throw new Error(`subscribers saw ${seen} messages, expected ${ROUNDS * CALLS * 2}`);
const base = median(results.stubbed);
process.stdout.write(`calls/s over an in-memory peer, ${CALLS} calls x ${ROUNDS} rounds, ${CONCURRENCY} in flight (median; min-max)\n`);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  process.stdout.write(
    `  ${name.padEnd(8)} ${Math.round(m).toString().padStart(8)}  (${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))})  ratio to stubbed ${(m / base).toFixed(3)}\n`,
  );
}
