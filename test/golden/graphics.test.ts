import { describe, expect, it } from "vitest";
import { xdrErrorOf } from "../helpers/errors.js";
import { XdrError, decode, encode } from "../../src/xdr/index.js";
import { fromHex, hex, i32, str, u32 } from "../helpers/bytes.js";
import { codecs, type RemoteDomainEventGraphicsMsg } from "./graphics/expected/graphics.js";

const msg = codecs.remote_domain_event_graphics_msg;
const uuid = Uint8Array.from({ length: 16 }, (_, i) => i);

function event(phase: number, identities: number): RemoteDomainEventGraphicsMsg {
  return {
    dom: { name: "tiny", uuid, id: 1 },
    phase,
    local: { family: 0, node: "127.0.0.1", service: "5900" },
    remote: { family: 0, node: "127.0.0.1", service: "50924" },
    authScheme: "none",
    subject: Array.from({ length: identities }, (_, i) => ({ type: "x509dname", name: `CN=client${i}` })),
  };
}

// phase 0 = VIR_DOMAIN_EVENT_GRAPHICS_CONNECT, family 0 = IPv4.
const CONNECT_NO_IDENTITY = `
  00000004 74696e79                          # dom.name "tiny"
  00010203 04050607 08090a0b 0c0d0e0f        # dom.uuid, 16 bytes, no length word
  00000001                                   # dom.id
  00000000                                   # phase: connect
  00000000                                   # local.family: IPv4
  00000009 3132372e 302e302e 31000000        # local.node "127.0.0.1" + 3 pad bytes
  00000004 35393030                          # local.service "5900"
  00000000                                   # remote.family
  00000009 3132372e 302e302e 31000000        # remote.node
  00000005 35303932 34000000                 # remote.service "50924" + 3 pad bytes
  00000004 6e6f6e65                          # authScheme "none"
  00000000                                   # subject: 0 identities
`;

/** The expected bytes built field by field with the naive builder. */
function expectedBytes(phase: number, identities: number): Uint8Array {
  const b = [
    ...str("tiny"), ...uuid, ...i32(1),
    ...i32(phase),
    ...i32(0), ...str("127.0.0.1"), ...str("5900"),
    ...i32(0), ...str("127.0.0.1"), ...str("50924"),
    ...str("none"),
    ...u32(identities),
  ];
  for (let i = 0; i < identities; i++) b.push(...str("x509dname"), ...str(`CN=client${i}`));
  return Uint8Array.from(b);
}

describe("remote_domain_event_graphics_msg (golden case from the seed)", () => {
  it("connect with no identity: exact bytes", () => {
    const bytes = encode(msg, event(0, 0));
    expect(hex(bytes)).toBe(hex(fromHex(CONNECT_NO_IDENTITY)));
    expect(decode(msg, bytes)).toEqual(event(0, 0));
  });

  it("initialize with one identity: exact bytes", () => {
    const bytes = encode(msg, event(1, 1));
    const tail = `
      00000001                                 # subject: 1 identity
      00000009 78353039 646e616d 65000000      # type "x509dname" + 3 pad bytes
      0000000a 434e3d63 6c69656e 74300000      # name "CN=client0" + 2 pad bytes
    `;
    const head = fromHex(CONNECT_NO_IDENTITY).subarray(0, -4);
    head[31] = 1; // phase word (bytes 28..31): initialize
    expect(hex(bytes)).toBe(hex(head) + hex(fromHex(tail)));
    expect(decode(msg, bytes)).toEqual(event(1, 1));
  });

  for (const [phase, name] of [[0, "connect"], [1, "initialize"], [2, "disconnect"]] as const) {
    for (const n of [0, 1, 20]) {
      it(`${name} with ${n} identities: bytes equal the naive builder's, and decode back`, () => {
        const bytes = encode(msg, event(phase, n));
        expect(hex(bytes)).toBe(hex(expectedBytes(phase, n)));
        expect(decode(msg, bytes)).toEqual(event(phase, n));
      });
    }
  }

  it("refuses 21 identities when encoding, naming the field", () => {
    const err = xdrErrorOf(() => encode(msg, event(2, 21)));
    expect(err).toBeInstanceOf(XdrError);
    expect(err.code).toBe("XDR_TOO_LONG");
    expect(err.where).toBe("remote_domain_event_graphics_msg.subject");
  });

  it("refuses a count of 21 when decoding, before reading any identity", () => {
    const err = xdrErrorOf(() => decode(msg, expectedBytes(2, 21)));
    expect(err.code).toBe("XDR_TOO_LONG");
    expect(err.message).toBe("remote_domain_event_graphics_msg.subject: count 21 exceeds max 20");
  });

  it("names the failing identity field on a bad value", () => {
    const v = event(0, 5);
    (v.subject[3] as { name: unknown }).name = 42;
    const err = xdrErrorOf(() => encode(msg, v));
    expect(err.code).toBe("XDR_BAD_VALUE");
    expect(err.where).toBe("remote_domain_event_graphics_msg.subject[3].name");
  });

  it("names the failing identity field on truncated input", () => {
    const bytes = expectedBytes(0, 5);
    const err = xdrErrorOf(() => decode(msg, bytes.subarray(0, bytes.length - 3)));
    expect(err.code).toBe("XDR_SHORT");
    expect(err.where).toBe("remote_domain_event_graphics_msg.subject[4].name");
  });
});

