import { describe, expect, it } from "vitest";
import { AuthError } from "../../src/auth/errors.js";
import { digestMd5, parsePairs } from "../../src/auth/sasl/digest-md5.js";
import type { SaslParams } from "../../src/auth/sasl/mechanism.js";
import { DigestLayer } from "../../src/auth/sasl/security-layer.js";

const bytes = (t: string): Uint8Array => new TextEncoder().encode(t);
const str = (b: Uint8Array | null): string => (b === null ? "<nil>" : Buffer.from(b).toString());
const secure: SaslParams = { service: "imap", host: "elwood.innosoft.com", minSsf: 0, maxSsf: 0, externalSsf: 0, maxBuf: 65536 };
const plainTcp: SaslParams = { service: "libvirt", host: "127.0.0.1", minSsf: 56, maxSsf: 100000, externalSsf: 0, maxBuf: 65536 };

async function respond(params: SaslParams, challenge: string, options = {}): Promise<{ fields: Map<string, string>; mech: ReturnType<ReturnType<typeof digestMd5>["create"]> }> {
  const mech = digestMd5({ cnonce: () => "OA6MHXh6VqTrRk", ...options }).create(params);
  expect(await mech.start()).toEqual({ kind: "continue", response: null }); // server first: nil, not empty
  expect((await mech.step(bytes(challenge))).kind).toBe("interact");
  const r = await mech.step(bytes(challenge), ["chris", "secret"]);
  if (r.kind !== "continue") throw new Error(r.kind);
  return { fields: new Map(parsePairs(str(r.response))), mech };
}

describe("DIGEST-MD5 (RFC 2831)", () => {
  it("computes the RFC's example response and accepts its rspauth", async () => {
    const { fields, mech } = await respond(secure, 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8');
    expect(fields.get("response")).toBe("d388dad90d4bbd760a152321f2143af7");
    expect(fields.get("digest-uri")).toBe("imap/elwood.innosoft.com");
    expect(fields.get("qop")).toBe("auth");
    expect(fields.get("nc")).toBe("00000001");
    expect(fields.get("realm")).toBe("elwood.innosoft.com");
    expect(fields.has("cipher")).toBe(false);
    expect(mech.step(bytes("rspauth=ea40f60335c427b5527b84dbabcdfffd"))).toEqual({ kind: "complete", response: null });
    expect(mech.layer()).toEqual({ ssf: 0, filter: null });
  });

  it("refuses a wrong rspauth (the server does not know the password)", async () => {
    const { mech } = await respond(secure, 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8');
    expect(() => mech.step(bytes("rspauth=ea40f60335c427b5527b84dbabcdfffe"))).toThrow(/rspauth is wrong/);
  });

  it("on plain TCP picks 3des from libvirtd's offer (no RC4 in Node's default OpenSSL) and keys a layer", async () => {
    const { fields, mech } = await respond(plainTcp, 'realm="vm",nonce="abc",qop="auth-conf",cipher="rc4-56,rc4,3des",maxbuf=65536,charset=utf-8,algorithm=md5-sess', { ciphers: ["3des"] });
    expect(fields.get("qop")).toBe("auth-conf");
    expect(fields.get("cipher")).toBe("3des");
    expect(fields.get("maxbuf")).toBe("65536");
    expect(fields.get("digest-uri")).toBe("libvirt/127.0.0.1");
    // The expected rspauth, computed the RFC's way from the response's inputs.
    expect(mech.layer().filter).toBeNull(); // not before the server is verified
  });

  it("prefers rc4 (128) over 3des (112) when this Node has it, as Cyrus does", async () => {
    const { fields } = await respond(plainTcp, 'nonce="abc",qop="auth-conf",cipher="rc4-56,rc4,3des",algorithm=md5-sess', { ciphers: ["3des", "rc4", "rc4-56"] });
    expect(fields.get("cipher")).toBe("rc4");
    // No realm offered: the server's name, as Cyrus fakes it.
    expect(fields.get("realm")).toBe("127.0.0.1");
  });

  it("takes integrity when only auth-int is offered off TCP's minimum, and refuses everything below 56 on TCP", () => {
    const weak = digestMd5({ ciphers: ["3des"] }).create(plainTcp);
    weak.start();
    const only40 = 'nonce="abc",qop="auth-conf,auth-int",cipher="rc4-40",algorithm=md5-sess';
    expect(() => weak.step(bytes(only40), ["u", "p"])).toThrow(AuthError);
    try {
      weak.step(bytes(only40), ["u", "p"]);
    } catch (e) {
      expect((e as AuthError).code).toBe("ERR_AUTH_TOO_WEAK");
    }
    const integrity = digestMd5().create({ ...plainTcp, minSsf: 1 });
    integrity.start();
    const r = integrity.step(bytes('nonce="abc",qop="auth-int",algorithm=md5-sess'), ["u", "p"]);
    expect(new Map(parsePairs(str((r as { response: Uint8Array }).response))).get("qop")).toBe("auth-int");
  });

  it("refuses a maxbuf too small to carry any byte under the chosen layer (it would spin the encoder forever)", () => {
    // maxbuf is not covered by the response hash: anyone on the path can rewrite it.
    for (const maxbuf of [17, 20, 25]) {
      const m = digestMd5({ cnonce: () => "c", ciphers: ["rc4", "3des"] }).create(plainTcp);
      m.start();
      const challenge = `nonce="abc",qop="auth-conf",cipher="rc4,3des",maxbuf=${maxbuf},algorithm=md5-sess`;
      expect(() => m.step(bytes(challenge), ["u", "p"]), challenge).toThrow(/maxbuf/);
    }
    expect(() => new DigestLayer({ ha1: Buffer.alloc(16), cipher: { name: "rc4", ssf: 128, keyBytes: 16, block: 0 }, peerMaxBuf: 20, maxBuf: 65536 })).toThrow(AuthError);
    const ok = new DigestLayer({ ha1: Buffer.alloc(16), cipher: null, peerMaxBuf: 17, maxBuf: 65536 });
    expect(ok.maxOut).toBe(1);
  });

  it("rejects malformed challenges with typed errors", () => {
    for (const bad of ['nonce="abc', 'qop="auth",algorithm=md5-sess', 'nonce="a",algorithm=md5', 'nonce="a",algorithm=md5-sess,maxbuf=5', 'nonce="a",algorithm=md5-sess,qop="x"']) {
      const m = digestMd5().create(secure);
      m.start();
      expect(() => m.step(bytes(bad), ["u", "p"]), bad).toThrow(AuthError);
    }
  });
});

describe("the DIGEST-MD5 security layer", () => {
  const ha1 = Buffer.from("00112233445566778899aabbccddeeff", "hex");
  const pair = (cipher: "3des" | null): [DigestLayer, DigestLayer] => {
    const c = cipher === null ? null : { name: "3des" as const, ssf: 112, keyBytes: 16, block: 8 };
    return [new DigestLayer({ ha1, cipher: c, peerMaxBuf: 65536, maxBuf: 65536 }), new DigestLayer({ ha1, cipher: c, peerMaxBuf: 65536, maxBuf: 65536, side: "server" })];
  };

  for (const cipher of ["3des", null] as const) {
    it(`${cipher ?? "integrity"}: round trips both ways, split at every offset, across packets`, () => {
      const [client, server] = pair(cipher);
      const messages = [new Uint8Array(0), bytes("x"), bytes("hello world, 19 b"), Uint8Array.from({ length: 200_000 }, (_, i) => i & 0xff)];
      for (const m of messages) {
        const wire = client.encode(m);
        if (m.length > client.maxOut) expect(wire.length).toBeGreaterThan(m.length + 4 * Math.ceil(m.length / client.maxOut));
        expect(Buffer.concat(server.decode(wire))).toEqual(Buffer.from(m));
        const back = server.encode(m);
        expect(Buffer.concat(client.decode(back))).toEqual(Buffer.from(m));
      }
      const msg = bytes("split me at every offset please");
      for (let cut = 0; cut <= 60; cut++) {
        const wire = client.encode(msg);
        const out = [...server.decode(wire.subarray(0, Math.min(cut, wire.length))), ...server.decode(wire.subarray(Math.min(cut, wire.length)))];
        expect(Buffer.concat(out)).toEqual(Buffer.from(msg));
      }
      // One byte at a time.
      const wire = client.encode(msg);
      const out: Uint8Array[] = [];
      for (const b of wire) out.push(...server.decode(Uint8Array.of(b)));
      expect(Buffer.concat(out)).toEqual(Buffer.from(msg));
    });
  }

  it("3des: packets are whole blocks, padded 1..8, sealed (no plaintext visible)", () => {
    const [client] = pair("3des");
    for (let n = 0; n < 20; n++) {
      const wire = Buffer.from(client.encode(new Uint8Array(n).fill(0x41)));
      const len = wire.readUInt32BE(0);
      expect(len).toBe(wire.length - 4);
      expect((len - 6) % 8).toBe(0);
      expect(len - 6).toBe(n + 10 + (8 - ((n + 10) % 8)));
      expect(wire.readUInt16BE(wire.length - 6)).toBe(1);
      expect(wire.readUInt32BE(wire.length - 4)).toBe(n); // sequence number
      if (n >= 8) expect(wire.includes(Buffer.alloc(8, 0x41))).toBe(false);
    }
  });

  it("refuses a flipped bit, a replayed packet and an oversized length", () => {
    const [client, server] = pair("3des");
    const wire = Buffer.from(client.encode(bytes("payload")));
    const flipped = Buffer.from(wire);
    flipped[6]! ^= 1;
    expect(() => pair("3des")[1].decode(flipped)).toThrow(/mismatch|padding/);
    server.decode(wire);
    expect(() => server.decode(wire)).toThrow(/sequence number 0, expected 1/);
    const [, fresh] = pair(null);
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(65537);
    expect(() => fresh.decode(huge)).toThrow(/outside 16..65536/);
  });
});
