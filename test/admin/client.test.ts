import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { connectAdmin } from "../../src/admin/client.js";
import { LibvirtError, OptionError } from "../../src/rpc/errors.js";
import { MemoryTransport } from "../../src/transport/memory.js";

/** Answers each call frame with `reply(proc)`: a body after the header, or an error body. */
function fakeAdminServer(calls: Buffer[], reply: (proc: number) => { status: 0 | 1; body: Buffer }): MemoryTransport {
  return new MemoryTransport((server: Duplex) => {
    // A daemon closes its side when the client has closed its own.
    server.on("end", () => server.end());
    let buf = Buffer.alloc(0);
    server.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= buf.readUInt32BE(0)) {
        const frame = buf.subarray(0, buf.readUInt32BE(0));
        buf = buf.subarray(frame.length);
        calls.push(Buffer.from(frame));
        const proc = frame.readUInt32BE(12);
        const { status, body } = reply(proc);
        const header = Buffer.alloc(28);
        header.writeUInt32BE(28 + body.length, 0);
        frame.copy(header, 4, 4, 16); // program, version, procedure
        header.writeUInt32BE(1, 16); // VIR_NET_REPLY
        header.writeUInt32BE(frame.readUInt32BE(20), 20); // serial
        header.writeUInt32BE(status, 24);
        server.write(Buffer.concat([header, body]));
      }
    });
  });
}

const ok = { status: 0 as const, body: Buffer.alloc(0) };

describe("connectAdmin over an in-memory transport", () => {
  it("opens as libvirt-admin does: ADMIN_PROC_CONNECT_OPEN with flags 0, nothing before it", async () => {
    const calls: Buffer[] = [];
    const adm = await connectAdmin("libvirtd:///system", { transport: fakeAdminServer(calls, () => ok) });
    expect(adm.uri.socket).toBe("/run/libvirt/libvirt-admin-sock");
    expect(calls.map((c) => c.toString("hex"))).toEqual([
      // length 28+4, program 0x06900690, version 1, procedure 1 (CONNECT_OPEN), CALL, serial 1, OK, flags 0
      "00000020" + "06900690" + "00000001" + "00000001" + "00000000" + "00000001" + "00000000" + "00000000",
    ]);
    expect(adm.keepalive).toBeNull();
    await adm.close();
    // close() says CONNECT_CLOSE (procedure 2) before it ends the stream.
    expect(calls[1]!.readUInt32BE(12)).toBe(2);
    expect((await adm.closed).reason).toBe("client");
  });

  it("decodes typed replies, and daemon errors as LibvirtError", async () => {
    const calls: Buffer[] = [];
    const version = Buffer.alloc(8);
    version.writeBigUInt64BE(11_003_000n);
    // remote_error: code 95 (VIR_ERR_NO_SERVER), domain 7, message "gone", level 2, no domain/network, str1..3 null, int1, int2.
    const error = Buffer.from("0000005f" + "00000007" + "00000001" + "00000004" + "676f6e65" + "00000002" + "00000000" + "00000000" + "00000000" + "00000000" + "ffffffff" + "ffffffff" + "00000000", "hex");
    const adm = await connectAdmin("virtqemud:///system", {
      transport: fakeAdminServer(calls, (proc) => (proc === 3 ? { status: 0, body: version } : proc === 5 ? { status: 1, body: error } : ok)),
    });
    expect(await adm.connectGetLibVersion()).toEqual({ libVer: 11_003_000n });
    const e = await adm.connectLookupServer({ name: "nope", flags: 0 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LibvirtError);
    expect(e).toMatchObject({ code: "VIR_ERR_NO_SERVER", message: "gone" });
    adm.destroy();
  });

  it("checks its options before connecting", async () => {
    await expect(connectAdmin("libvirtd:///system", { keepalive: { interval: 1, count: -1 } })).rejects.toBeInstanceOf(OptionError);
    await expect(connectAdmin("libvirtd:///system", { timeout: -1 })).rejects.toBeInstanceOf(OptionError);
  });
});
