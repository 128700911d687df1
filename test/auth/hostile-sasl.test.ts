import { describe, expect, it } from "vitest";
import { AuthError } from "../../src/auth/errors.js";
import { digestMd5 } from "../../src/auth/sasl/digest-md5.js";
import type { SaslMechanismFactory, SaslParams } from "../../src/auth/sasl/mechanism.js";
import { external, plain } from "../../src/auth/sasl/plain.js";
import { scram } from "../../src/auth/sasl/scram.js";
import { connect } from "../../src/client/client.js";
import { codecs, remoteProgram, RemoteAuthType } from "../../src/gen/remote_protocol.js";
import { TimeoutError } from "../../src/rpc/errors.js";
import { MemoryTransport } from "../../src/transport/memory.js";
import { FakeDaemon } from "../helpers/fake-daemon.js";

const P = remoteProgram.procedures;
const bytes = (t: string): number[] => [...Buffer.from(t)];

type Received = FakeDaemon["received"][number];

/** A scripted daemon answering each call a turn of the event loop later, as over a socket (a looping client still lets timers run). */
function daemon(answer: (d: FakeDaemon, m: Received) => void): MemoryTransport {
  return new MemoryTransport((server) => {
    const d = new FakeDaemon(server);
    let seen = 0;
    const next = (): void => void d.receivedCount(seen + 1).then(() => setImmediate(() => (answer(d, d.received[seen++]!), next())));
    next();
  });
}

/**
 * A daemon that offers SASL with `mechlist`, then answers every
 * AUTH_SASL_START and AUTH_SASL_STEP as `answer` says (by the number of
 * STEPs so far), "continue" by default: the hostile peer of issue 27.
 */
function hostile(mechlist: string, answer: (steps: number) => { complete: number; data: string | null } = () => ({ complete: 0, data: null })) {
  const stats = { steps: 0 };
  const transport = daemon((d, m) => {
    const proc = m.header.proc;
    if (proc === P.authList.number) d.reply(m.header, codecs.remote_auth_list_ret, { types: [RemoteAuthType.REMOTE_AUTH_SASL] });
    else if (proc === P.authSaslInit.number) d.reply(m.header, codecs.remote_auth_sasl_init_ret, { mechlist });
    else if (proc === P.authSaslStart.number || proc === P.authSaslStep.number) {
      if (proc === P.authSaslStep.number) stats.steps++;
      const a = answer(stats.steps);
      d.reply(m.header, codecs.remote_auth_sasl_step_ret, { complete: a.complete, nil: a.data === null ? 1 : 0, data: a.data === null ? [] : bytes(a.data) });
    } else if (proc === P.connectOpen.number) d.reply(m.header, null);
  });
  return { transport, stats };
}

/**
 * Connects and returns the error. The connect timeout is only a safety
 * net, so that a client that loops shows as a failure instead of a hang.
 */
async function refused(transport: MemoryTransport, options: Parameters<typeof connect>[1] = {}): Promise<unknown> {
  return connect("test+tls://example.org/default", { transport, keepalive: false, connectTimeout: 3000, auth: { username: "user", password: "pencil" }, ...options }).then(
    (c) => {
      c.destroy();
      return new Error("connected");
    },
    (e: unknown) => e,
  );
}

function expectExtraStepRefused(error: unknown, mech: string): void {
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe("ERR_AUTH_SERVER");
  expect((error as Error).message).toBe(`authentication failed: Failed to step SASL negotiation: ${mech} has completed, but the daemon asks for another step`);
}

describe("a daemon that keeps answering 'continue' (issue 27)", () => {
  // virsh 9.0 against the same peer on a Unix socket, PLAIN from auth.conf, sends no AUTH_SASL_STEP at all:
  // "error: authentication failed: Failed to step SASL negotiation: -1 (SASL(-1): generic failure: ...)"
  // (Cyrus's sasl_client_step refuses a step once the mechanism's doneflag is set).
  it.each(["PLAIN", "EXTERNAL"])("%s completes in AUTH_SASL_START: the first extra step is refused, no AUTH_SASL_STEP is sent", async (mech) => {
    const { transport, stats } = hostile(mech);
    const error = await refused(transport);
    expectExtraStepRefused(error, mech);
    expect(stats.steps).toBe(0);
  });

  it("SCRAM-SHA-256 (RFC 7677's exchange): the empty step after the client completed is sent, the one after that refused", async () => {
    const serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const serverFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    const { transport, stats } = hostile("SCRAM-SHA-256", (steps) => ({ complete: 0, data: steps === 0 ? serverFirst : steps === 1 ? serverFinal : null }));
    const error = await refused(transport, { auth: { username: "user", password: "pencil", mechanisms: [scram("SHA-256", { nonce: () => "rOprNGfwEbeRWgbNEkqO" })] } });
    expectExtraStepRefused(error, "SCRAM-SHA-256");
    // Client-final, then the empty answer to the daemon's signature (libvirt's loop sends it too).
    expect(stats.steps).toBe(2);
  });

  it("a daemon that says 'complete' before SCRAM sent its proof: the proof is still derived (off the loop) and sent, as libvirt's loop does", async () => {
    const serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const serverFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    const { transport, stats } = hostile("SCRAM-SHA-256", (steps) => ({ complete: 1, data: steps === 0 ? serverFirst : serverFinal }));
    const client = await connect("test+tls://example.org/default", {
      transport,
      keepalive: false,
      connectTimeout: 10_000,
      auth: { username: "user", password: "pencil", mechanisms: [scram("SHA-256", { nonce: () => "rOprNGfwEbeRWgbNEkqO" })] },
    });
    client.destroy();
    expect(stats.steps).toBe(1);
  });

  it("a plug-in mechanism that does not guard itself is stopped by the client, as Cyrus's doneflag stops any plug-in", async () => {
    const careless: SaslMechanismFactory = {
      name: "X-CARELESS",
      rank: 900,
      maxSsf: 0,
      create: () => ({ start: () => ({ kind: "complete", response: null }), step: () => ({ kind: "complete", response: null }), layer: () => ({ ssf: 0, filter: null }) }),
    };
    const { transport, stats } = hostile("X-CARELESS");
    expectExtraStepRefused(await refused(transport, { auth: { mechanisms: [careless] } }), "X-CARELESS");
    expect(stats.steps).toBe(0);
  });

  it("a mechanism that never completes: the exchange ends after 16 steps", async () => {
    const endless: SaslMechanismFactory = {
      name: "X-ENDLESS",
      rank: 900,
      maxSsf: 0,
      create: () => ({ start: () => ({ kind: "continue", response: null }), step: () => ({ kind: "continue", response: null }), layer: () => ({ ssf: 0, filter: null }) }),
    };
    const { transport, stats } = hostile("X-ENDLESS");
    const error = await refused(transport, { auth: { mechanisms: [endless] } });
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("ERR_AUTH_SERVER");
    expect((error as Error).message).toBe("authentication failed: Failed to step SASL negotiation: X-ENDLESS has not completed after 16 steps; giving up");
    expect(stats.steps).toBe(16);
  });
});

describe("SCRAM's key derivation at the iteration cap (1,000,000)", () => {
  it("does not stall another connection of the process", async () => {
    // Connection A: a daemon without authentication, answering CONNECT_GET_LIB_VERSION.
    const other = await connect("test+tls://example.org/default", {
      transport: daemon((d, m) => {
        if (m.header.proc === P.authList.number) d.reply(m.header, codecs.remote_auth_list_ret, { types: [] });
        else if (m.header.proc === P.connectGetLibVersion.number) d.reply(m.header, codecs.remote_connect_get_lib_version_ret, { lib_ver: 9000000n });
        else d.reply(m.header, null);
      }),
      keepalive: false,
    });
    // Connection B: SCRAM whose first message asks for 1,000,000 iterations. As B's client starts deriving,
    // A makes 5 calls one after the other; B's client-final (STEP 1) arrives when the derivation is over.
    let roundTrips = 0;
    let roundTripsBeforeDerived = -1;
    let calls: Promise<void> = Promise.resolve();
    const { transport } = hostile("SCRAM-SHA-256", (steps) => {
      if (steps === 0) {
        calls = (async () => {
          for (let i = 0; i < 5; i++) {
            await other.call(remoteProgram, P.connectGetLibVersion, undefined);
            roundTrips++;
          }
        })();
        return { complete: 0, data: `r=NSERVER,s=${Buffer.from("salt").toString("base64")},i=1000000` };
      }
      if (steps === 1) roundTripsBeforeDerived = roundTrips;
      return { complete: 0, data: null };
    });
    const t0 = performance.now();
    const error = await refused(transport, { connectTimeout: 60_000, auth: { username: "user", password: "pencil", mechanisms: [scram("SHA-256", { nonce: () => "N" })] } });
    const ms = performance.now() - t0;
    await calls;
    other.destroy();
    // The fake sends no server-final: B fails after deriving, as expected here.
    expect((error as AuthError).code, String(error)).toBe("ERR_AUTH_SERVER");
    // A derivation on the event loop (pbkdf2Sync) holds every other connection until it ends: A would get
    // at most one reply in before B's STEP. Off the loop, A's 5 in-memory round trips take milliseconds of
    // a derivation of hundreds.
    expect(roundTripsBeforeDerived, `A's round trips during B's derivation (connect took ${ms.toFixed(0)} ms)`).toBe(5);
  });
});

describe("a slow step (a key derivation) and the connect timeout", () => {
  it("the timeout ends the connect while the step still runs, not when it is over", async () => {
    let finishStep: (() => void) | null = null;
    let stepOver = false;
    const slow: SaslMechanismFactory = {
      name: "X-SLOW",
      rank: 900,
      maxSsf: 0,
      create: () => ({
        start: () => ({ kind: "continue", response: null }),
        // Ends only when the test says so (at the latest after 20 s, so that a client that waits for it still ends).
        step: () =>
          new Promise((resolve) => {
            const t = setTimeout(() => finishStep?.(), 20_000);
            finishStep = () => {
              clearTimeout(t);
              stepOver = true;
              resolve({ kind: "continue", response: null });
            };
          }),
        layer: () => ({ ssf: 0, filter: null }),
      }),
    };
    const { transport } = hostile("X-SLOW");
    const error = await refused(transport, { connectTimeout: 300, auth: { mechanisms: [slow] } });
    const overWhenRefused = stepOver;
    (finishStep as (() => void) | null)?.();
    expect(error).toBeInstanceOf(TimeoutError);
    expect(overWhenRefused).toBe(false);
  });
});

describe("every built-in mechanism refuses a step after it completed", () => {
  const params: SaslParams = { service: "libvirt", host: "localhost", minSsf: 0, maxSsf: 0, externalSsf: 0, maxBuf: 65536 };
  const b = (t: string): Uint8Array => new TextEncoder().encode(t);
  const refusesMore = async (m: ReturnType<SaslMechanismFactory["create"]>, name: string): Promise<void> => {
    for (const challenge of [null, b(""), b("more")]) {
      const e = await Promise.resolve()
        .then(() => m.step(challenge))
        .then(
          () => null,
          (x: unknown) => x,
        );
      expect(e, `${name} after completion, challenge ${String(challenge)}`).toBeInstanceOf(AuthError);
      expect((e as AuthError).code).toBe("ERR_AUTH_SERVER");
      expect((e as Error).message).toMatch(new RegExp(`^${name}: the daemon asks for another step after the exchange completed`));
    }
  };

  it("PLAIN and EXTERNAL", async () => {
    const p = plain().create(params);
    expect((await p.start(["user", "pencil"])).kind).toBe("complete");
    await refusesMore(p, "PLAIN");
    const x = external().create(params);
    expect((await x.start()).kind).toBe("complete");
    await refusesMore(x, "EXTERNAL");
  });

  it("SCRAM-SHA-256 and DIGEST-MD5, after the RFCs' exchanges", async () => {
    const s = scram("SHA-256", { nonce: () => "rOprNGfwEbeRWgbNEkqO" }).create(params);
    await s.start(["user", "pencil"]);
    await s.step(b("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
    expect((await s.step(b("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))).kind).toBe("complete");
    await refusesMore(s, "SCRAM-SHA-256");

    const d = digestMd5({ cnonce: () => "OA6MHXh6VqTrRk" }).create({ ...params, service: "imap", host: "elwood.innosoft.com" });
    await d.start();
    await d.step(b('realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8'), ["chris", "secret"]);
    expect((await d.step(b("rspauth=ea40f60335c427b5527b84dbabcdfffd"))).kind).toBe("complete");
    await refusesMore(d, "DIGEST-MD5");
  });
});
