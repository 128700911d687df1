// A recording is a file people share: what the recorder writes by default
// holds no secret value, set or read, on a real daemon's secret driver
// (the QEMU session daemon's); with redaction off the same session shows
// them, so the check can fail; and the redacted recording still replays.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Client } from "../../src/client/client.js";
import { readFixture } from "../../src/recording/format.js";
import { Recorder } from "../../src/recording/recorder.js";
import { ReplayTransport } from "../../src/recording/replay.js";
import { codecs } from "../../src/gen/remote_protocol.js";
import { decodeInbound } from "../../src/rpc/message.js";
import { sharedDaemon, uniqueName } from "./daemon.js";

const d = sharedDaemon();
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe.skipIf(d === null)("recording secrets", () => {
  const uri = d!.uris.qemuUnix;
  const value = new TextEncoder().encode(`s3cret-${uniqueName("value")}`);
  const usage = uniqueName("/tmp/record-secrets");
  let owner: Client;
  let uuid: Uint8Array;

  beforeAll(async () => {
    owner = await connect(uri);
    const xml = `<secret ephemeral='no' private='no'><usage type='volume'><volume>${usage}</volume></usage></secret>`;
    uuid = (await owner.secretDefineXml({ xml, flags: 0 })).secret.uuid;
  });
  afterAll(async () => {
    await owner.secretUndefine({ secret: (await owner.secretLookupByUuid({ uuid })).secret }).catch(() => {});
    await owner.close();
  });

  /** One session that sets the secret's value and reads it back, recorded. */
  async function session(recorder: Recorder): Promise<Uint8Array> {
    const conn = await connect(uri, { record: recorder, keepalive: false });
    const { secret } = await conn.secretLookupByUuid({ uuid });
    await conn.secretSetValue({ secret, value, flags: 0 });
    const got = (await conn.secretGetValue({ secret, flags: 0 })).value;
    await conn.close();
    return got;
  }

  it("the default recording holds neither the value set nor the value read; with redaction off both are there", async () => {
    const redacted = new Recorder({ uri });
    const raw = new Recorder({ uri }, { redactSecrets: false });
    expect(hex(await session(redacted))).toBe(hex(value));
    expect(hex(await session(raw))).toBe(hex(value));

    expect(raw.toString()).toContain(hex(value));
    expect(redacted.toString()).not.toContain(hex(value));
    const set = redacted.frames.find((f) => f.procedure === "REMOTE_PROC_SECRET_SET_VALUE" && f.dir === "send")!;
    const read = redacted.frames.find((f) => f.procedure === "REMOTE_PROC_SECRET_GET_VALUE" && f.dir === "recv")!;
    expect((set as { redacted?: number }).redacted).toBe(value.length);
    expect((read as { redacted?: number }).redacted).toBe(value.length);
    // The frames still decode, everything but the value kept.
    const args = codecs.remote_secret_set_value_args.decode(decodeInbound(Buffer.from(set.hex, "hex").subarray(4)).body);
    expect({ uuid: hex(args.secret.uuid), value: args.value.length }).toEqual({ uuid: hex(uuid), value: 0 });
    // Frames of other procedures are untouched.
    expect(redacted.frames.filter((f) => (f as { redacted?: number }).redacted !== undefined).map((f) => f.procedure).sort()).toEqual([
      "REMOTE_PROC_SECRET_GET_VALUE",
      "REMOTE_PROC_SECRET_SET_VALUE",
    ]);
  });

  it("the redacted recording replays: the value set matches whatever is sent, the value read is empty", async () => {
    const recorder = new Recorder({ uri });
    await session(recorder);
    const replay = new ReplayTransport(readFixture(recorder.toString()));
    const conn = await connect(uri, { transport: replay, keepalive: false });
    const { secret } = await conn.secretLookupByUuid({ uuid });
    await conn.secretSetValue({ secret, value: new TextEncoder().encode("something else"), flags: 0 });
    expect((await conn.secretGetValue({ secret, flags: 0 })).value.length).toBe(0);
    await conn.close();
    replay.assertDone();
  });
});
