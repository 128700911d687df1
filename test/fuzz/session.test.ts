/**
 * An RpcSession over an in-memory pair, with calls pending, fed their
 * replies, error replies, events and keepalives, mutated, reordered and
 * cut into random chunks. Whatever arrives: nothing escapes an event
 * handler (no uncaught exception, no unhandled rejection), every call
 * settles with a value or one of the project's typed errors, and the
 * session either closes with reason "error" or is still usable.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeError, isTyped } from "../../fuzz/check.js";
import { fixLength, frameCorpus, frameMaker, type FrameEntry } from "../../fuzz/corpus.js";
import { mutateAll } from "../../fuzz/mutate.js";
import { errorCodec, fuzzTypes, haveTree, loadModel, symOf } from "../../fuzz/targets.js";
import { lxcProgram } from "../../src/gen/lxc_protocol.js";
import { qemuProgram } from "../../src/gen/qemu_protocol.js";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { keepaliveProgram } from "../../src/gen/virkeepaliveprotocol.js";
import { FrameDecoder } from "../../src/rpc/frame.js";
import { MessageStatus, MessageType, decodeInbound, type Header } from "../../src/rpc/message.js";
import { RpcSession, type CloseInfo } from "../../src/rpc/session.js";
import { memoryPair } from "../../src/transport/memory.js";
import type { ProcedureInfo, ProgramInfo } from "../../src/xdr/index.js";
import { randomValue, seededRng } from "../oracle/values.js";
import { Tally, mutationArb } from "./arbitraries.js";

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!haveTree())("RpcSession fed mutated frames while calls are pending", () => {
  const model = loadModel();
  const types = fuzzTypes(model);
  const sym = symOf(types);
  const programs = [remoteProgram, qemuProgram, lxcProgram] as unknown as ProgramInfo[];
  const callable = Object.values(remoteProgram.procedures as Record<string, ProcedureInfo>).filter(
    (p) => p.args !== null && p.ret !== null && p.message === null,
  );
  const hostname = remoteProgram.procedures.connectGetHostname as ProcedureInfo;
  // Events of every program the session knows, and keepalives; any seed frame now and then.
  const seeds = frameCorpus(model, types, { seed: "fc-session" });
  const fm0 = frameMaker(model, types, { seed: "fc-session-ka" });
  const ka = keepaliveProgram as ProgramInfo;
  const extras: FrameEntry[] = [
    ...seeds.filter((f) => / MESSAGE /.test(f.label) && !f.label.startsWith("admin")),
    fm0.frame(ka, { proc: 1, type: MessageType.VIR_NET_MESSAGE, serial: 0, status: MessageStatus.VIR_NET_OK }, null, "ping"),
    fm0.frame(ka, { proc: 2, type: MessageType.VIR_NET_MESSAGE, serial: 0, status: MessageStatus.VIR_NET_OK }, null, "pong"),
  ];

  const escaped: unknown[] = [];
  const onEscape = (e: unknown): void => void escaped.push(e);
  beforeAll(() => {
    process.on("uncaughtException", onEscape);
    process.on("unhandledRejection", onEscape);
  });
  afterAll(() => {
    process.off("uncaughtException", onEscape);
    process.off("unhandledRejection", onEscape);
  });

  const stats = { closedByError: 0, usable: 0, resolved: 0, rejected: new Map<string, number>(), events: 0, undecodable: 0 };
  const tally = new Tally();
  afterAll(() => {
    const rejected = [...stats.rejected].map(([k, v]) => `${k} ${v}`).join(", ");
    console.log(
      tally.line(
        "fuzz session",
        `; closed by error ${stats.closedByError}, still usable ${stats.usable}; calls resolved ${stats.resolved}, rejected ${rejected}; ` +
          `events ${stats.events}, undecodable events dropped ${stats.undecodable}; escaped ${escaped.length}`,
      ),
    );
  });

  const spec = fc.record({
    calls: fc.array(
      fc.record({ proc: fc.nat(), seed: fc.integer(), error: fc.boolean(), mutate: fc.boolean(), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }),
      { minLength: 1, maxLength: 4 },
    ),
    extras: fc.array(fc.record({ index: fc.nat(), mutations: fc.array(mutationArb, { maxLength: 3 }) }), { maxLength: 3 }),
    // In step: every length word right, so the session must stay usable unless it closes.
    inStep: fc.boolean(),
    fixes: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    tail: fc.uint8Array({ maxLength: 6 }),
    order: fc.integer(),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
  });

  async function run(s: typeof spec extends fc.Arbitrary<infer T> ? T : never): Promise<void> {
    const [client, server] = memoryPair();
    server.on("error", () => {});
    const closes: CloseInfo[] = [];
    const session = new RpcSession(client, { programs, onEvent: () => void stats.events++, onClose: (i) => closes.push(i) });
    const received: Header[] = [];
    const daemonFrames = new FrameDecoder();
    server.on("data", (chunk: Uint8Array) => {
      for (const f of daemonFrames.push(chunk)) {
        const { header } = decodeInbound(f);
        if (header.type === MessageType.VIR_NET_CALL) received.push(header);
      }
    });
    const fm = frameMaker(model, types, { seed: s.order });

    const outcomes: unknown[] = [];
    s.calls.forEach((c, i) => {
      const p = callable[c.proc % callable.length]!;
      const args = randomValue(model, sym(p.args!.name), seededRng(c.seed), { caps: { bytes: 32, elements: 2, scalarElements: 4 } });
      // Handlers attached at once: a rejection is never unhandled, even for a moment.
      void session.call(remoteProgram as ProgramInfo, p, args).then(
        () => void (outcomes[i] = "ok"),
        (e: unknown) => void (outcomes[i] = e),
      );
    });
    for (let i = 0; i < 50 && received.length < s.calls.length; i++) await tick();
    if (received.length !== s.calls.length) throw new Error(`the daemon saw ${received.length} of ${s.calls.length} calls`);

    let frames: Uint8Array[] = s.calls.map((c, i) => {
      const h = received[i]!;
      const p = callable[c.proc % callable.length]!;
      const status = c.error ? MessageStatus.VIR_NET_ERROR : MessageStatus.VIR_NET_OK;
      const f = fm.frame(remoteProgram as ProgramInfo, { proc: h.proc, type: MessageType.VIR_NET_REPLY, serial: h.serial, status }, c.error ? errorCodec : p.ret, p.name);
      return c.mutate ? mutateAll(f.bytes, c.mutations, { marks: f.marks, others: extras }) : f.bytes;
    });
    for (const x of s.extras) {
      const f = extras[x.index % extras.length]!;
      frames.push(mutateAll(f.bytes, x.mutations, { marks: f.marks, others: extras }));
    }
    const rng = seededRng(s.order);
    for (let i = frames.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [frames[i], frames[j]] = [frames[j]!, frames[i]!];
    }
    frames = frames.map((f, i) => (s.inStep || s.fixes[i % s.fixes.length] ? fixLength(f) : f));
    if (!s.inStep) frames.push(s.tail);
    const stream = Buffer.concat(frames);
    const bounds = [...new Set(s.cuts.map((c) => c % (stream.length + 1))), stream.length].sort((a, b) => a - b);
    let start = 0;
    for (const end of bounds) {
      if (server.destroyed) break;
      if (end > start) server.write(Uint8Array.from(stream.subarray(start, end)));
      start = end;
      await tick();
    }
    await tick();

    const closedEarly = session.isClosed;
    if (closedEarly) {
      stats.closedByError++;
      if (closes[0]?.reason !== "error") throw new Error(`closed while the daemon was still there, reason ${closes[0]?.reason}`);
    } else if (s.inStep) {
      // Framing is still in step: a fresh call must go through.
      const before = received.length;
      const call = session.call(remoteProgram as ProgramInfo, hostname, undefined);
      for (let i = 0; i < 50 && received.length === before; i++) await tick();
      const h = received[before];
      if (h === undefined) throw new Error("the fresh call never reached the daemon");
      server.write(fm.frame(remoteProgram as ProgramInfo, { proc: h.proc, type: MessageType.VIR_NET_REPLY, serial: h.serial, status: MessageStatus.VIR_NET_OK }, hostname.ret, "hostname").bytes);
      await within(call, 500, "the fresh call to settle");
      stats.usable++;
    }

    if (!server.destroyed) server.end();
    const info = await within(session.closed, 500, "the session to close");
    // Closing rejects whatever is pending at once; a few ticks deliver that.
    for (let i = 0; i < 3; i++) await tick();
    const unsettled = s.calls.map((_, i) => i).filter((i) => outcomes[i] === undefined);
    if (unsettled.length > 0) {
      throw new Error(`calls ${unsettled.join(", ")} never settled; the session closed with ${info.reason}: ${info.error.message}`);
    }
    if (closes.length !== 1) throw new Error(`onClose called ${closes.length} times`);
    if (!closedEarly && info.reason !== "eof") throw new Error(`closed by the daemon's EOF with reason ${info.reason}`);
    if (!isTyped(info.error)) throw new Error(`closed with an untyped error: ${describeError(info.error)}`);
    if (session.inFlight !== 0) throw new Error(`${session.inFlight} calls still in flight after close`);
    outcomes.forEach((o, i) => {
      if (o === undefined) return;
      if (o === "ok") stats.resolved++;
      else if (isTyped(o)) {
        const name = (o as Error).constructor.name;
        stats.rejected.set(name, (stats.rejected.get(name) ?? 0) + 1);
      } else throw new Error(`call ${i} rejected with ${describeError(o)}`);
    });
    stats.undecodable += session.stats.undecodableEvents;
    if (escaped.length > 0) throw new Error(`escaped: ${escaped.map(describeError).join("; ")}`);
  }

  it("never throws out of a handler; calls settle typed; the session closes with \"error\" or stays usable", async () => {
    tally.add("session", await fc.check(fc.asyncProperty(spec, run), { seed: 0x5e55, numRuns: 1500 }));
    expect(tally.failures).toEqual([]);
    expect(escaped).toEqual([]);
  });

  // Found by this fuzzer: the call used to be taken out of the pending table before the status was checked.
  it("a reply with status VIR_NET_CONTINUE closes the session and rejects its call", async () => {
    const [client, server] = memoryPair();
    const session = new RpcSession(client, { programs });
    let outcome = "pending";
    session.call(remoteProgram as ProgramInfo, hostname, undefined).then(
      () => (outcome = "resolved"),
      (e: unknown) => (outcome = e instanceof Error ? e.constructor.name : "?"),
    );
    await tick();
    // REPLY (1), serial 1, status CONTINUE (2), body { hostname: "h" }.
    server.write(Buffer.from("0000002420008086000000010000003b0000000100000001000000020000000168000000", "hex"));
    const info = await session.closed;
    for (let i = 0; i < 3; i++) await tick();
    expect(info.reason).toBe("error");
    expect(outcome).not.toBe("pending");
  });
});
