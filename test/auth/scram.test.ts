import { describe, expect, it } from "vitest";
import { AuthError } from "../../src/auth/errors.js";
import type { SaslParams } from "../../src/auth/sasl/mechanism.js";
import { scram } from "../../src/auth/sasl/scram.js";

const params: SaslParams = { service: "libvirt", host: "localhost", minSsf: 0, maxSsf: 0, externalSsf: 0, maxBuf: 65536 };
const s = (b: Uint8Array | null): string => (b === null ? "<nil>" : Buffer.from(b).toString());
const bytes = (t: string): Uint8Array => new TextEncoder().encode(t);

/** Runs the client through an exchange whose server messages are given, returning what it sent. */
async function exchange(hash: "SHA-1" | "SHA-256", nonce: string, serverFirst: string, serverFinal: string): Promise<string[]> {
  const m = scram(hash, { nonce: () => nonce }).create(params);
  const ask = await m.start();
  expect(ask).toEqual({ kind: "interact", requests: [expect.objectContaining({ type: "authname" }), expect.objectContaining({ type: "passphrase" })] });
  const first = await m.start(["user", "pencil"]);
  expect(first.kind).toBe("continue");
  const final = await m.step(bytes(serverFirst));
  expect(final.kind).toBe("continue");
  // The step that completes answers at once (no promise): it runs inside the daemon's last reply.
  const done = m.step(bytes(serverFinal));
  expect(done).toEqual({ kind: "complete", response: null });
  expect(m.layer()).toEqual({ ssf: 0, filter: null });
  return [s((first as { response: Uint8Array }).response), s((final as { response: Uint8Array }).response)];
}

describe("SCRAM against the RFCs' examples", () => {
  it("SCRAM-SHA-1: RFC 5802 section 5", async () => {
    const sent = await exchange(
      "SHA-1",
      "fyko+d2lbbFgONRv9qkxdawL",
      "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
      "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
    );
    expect(sent).toEqual(["n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL", "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="]);
  });

  it("SCRAM-SHA-256: RFC 7677 section 3", async () => {
    const sent = await exchange(
      "SHA-256",
      "rOprNGfwEbeRWgbNEkqO",
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
      "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    );
    expect(sent).toEqual([
      "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    ]);
  });

  it("refuses a server signature that is wrong by one bit (first byte), and a nonce that does not extend ours", async () => {
    const m = scram("SHA-256", { nonce: () => "rOprNGfwEbeRWgbNEkqO" }).create(params);
    await m.start(["user", "pencil"]);
    await m.step(bytes("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
    const bad = (): unknown => m.step(bytes("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
    expect(bad).toThrow(AuthError);
    expect(bad).toThrow(/signature is wrong/);

    const n = scram("SHA-256", { nonce: () => "abc" }).create(params);
    n.start(["user", "pencil"]);
    await expect(Promise.resolve().then(() => n.step(bytes("r=xyzdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))).rejects.toThrow(/nonce does not extend/);
  });

  it("reads the daemon's message byte for byte: a leading byte-order mark is not dropped, so the message is refused", async () => {
    const m = scram("SHA-256", { nonce: () => "rOprNGfwEbeRWgbNEkqO" }).create(params);
    await m.start(["user", "pencil"]);
    const first = "\uFEFFr=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    await expect(Promise.resolve().then(() => m.step(bytes(first)))).rejects.toThrow(/not a list of attributes/);
  });

  it("refuses an iteration count beyond the cap, before deriving anything", async () => {
    const m = scram("SHA-256", { nonce: () => "rOprNGfwEbeRWgbNEkqO" }).create(params);
    m.start(["user", "pencil"]);
    const t0 = performance.now();
    await expect(Promise.resolve().then(() => m.step(bytes("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4000000000")))).rejects.toThrow(/more than this client allows/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("escapes ',' and '=' in the user name, and keeps the password out of every error", async () => {
    const m = scram("SHA-256", { nonce: () => "N" }).create(params);
    const first = await m.start(["a,b=c", "hunter2-secret"]);
    expect(s((first as { response: Uint8Array }).response)).toBe("n,,n=a=2Cb=3Dc,r=N");
    try {
      await m.step(bytes("garbage without attributes"));
      expect.unreachable();
    } catch (e) {
      expect((e as AuthError).code).toBe("ERR_AUTH_SERVER");
      expect(String((e as Error).message)).not.toContain("hunter2");
    }
  });
});

describe("SCRAM's key derivation runs off the event loop", () => {
  it("at the iteration cap (1,000,000), the event loop keeps turning while the key is derived", async () => {
    const m = scram("SHA-512", { nonce: () => "N" }).create(params);
    await m.start(["user", "pencil"]);
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      if (!spinning) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const t0 = performance.now();
    const final = await m.step(bytes("r=NSERVER,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000000"));
    const ms = performance.now() - t0;
    spinning = false;
    expect(final.kind).toBe("continue");
    // A derivation on the loop (pbkdf2Sync) lets no turn run before it ends: 0. On the thread pool, a derivation
    // of hundreds of milliseconds leaves the loop free to turn thousands of times: 10 is a floor nothing misses.
    expect(turns, `${turns} turns of the event loop during a derivation of ${ms.toFixed(0)} ms`).toBeGreaterThanOrEqual(10);
  });
});
