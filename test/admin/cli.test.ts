// `libvirt-remote admin` against a fake admin server on a Unix socket: what
// virt-admin 9.0 (tools/virt-admin.c) prints for the same words.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lr } from "../cli/helpers.js";

/** remote_error: VIR_ERR_NO_CLIENT-like (code 96), domain 7, message "no client", level 2. */
const noClient = Buffer.from(
  "00000060" + "00000007" + "00000001" + "00000009" + Buffer.from("no client").toString("hex") + "000000" + "00000002" + "00000000" + "00000000" + "00000000" + "00000000" + "ffffffff" + "ffffffff" + "00000000",
  "hex",
);

describe("admin commands' options, as virt-admin reads them", () => {
  let dir: string;
  let server: Server;
  let uri: string;
  /** Every call frame, as it came. */
  const calls: Buffer[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lr-admin-cli-"));
    const socket = join(dir, "admin-sock");
    uri = `libvirtd:///system?socket=${socket}`;
    server = createServer((s) => {
      s.on("error", () => undefined);
      s.on("end", () => s.end());
      let buf = Buffer.alloc(0);
      s.on("data", (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 4 && buf.length >= buf.readUInt32BE(0)) {
          const frame = buf.subarray(0, buf.readUInt32BE(0));
          buf = buf.subarray(frame.length);
          calls.push(Buffer.from(frame));
          const proc = frame.readUInt32BE(12);
          // LOOKUP_SERVER (5): the name asked for; LOOKUP_CLIENT (9): none; the rest: nothing.
          const [status, body] = proc === 5 ? [0, frame.subarray(28, frame.length - 4)] : proc === 9 ? [1, noClient] : [0, Buffer.alloc(0)];
          const header = Buffer.alloc(28);
          header.writeUInt32BE(28 + body.length, 0);
          frame.copy(header, 4, 4, 16);
          header.writeUInt32BE(1, 16);
          header.writeUInt32BE(frame.readUInt32BE(20), 20);
          header.writeUInt32BE(status, 24);
          s.write(Buffer.concat([header, body]));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });
  afterAll(() => {
    server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("client-disconnect reads the client ID before it looks the server up", async () => {
    const r = await lr(["admin", "-c", uri, "client-disconnect", "nosuch", "abc"]);
    expect(r).toEqual({ code: 1, stdout: "\n", stderr: "error: Numeric value 'abc' for <client> option is malformed or out of range\n" });
    expect(calls.map((c) => c.readUInt32BE(12))).not.toContain(5);
  });

  it("client-disconnect wraps a negative ID as virStrToLong_ull does; client-info refuses it", async () => {
    calls.length = 0;
    const r = await lr(["admin", "-c", uri, "client-disconnect", "libvirtd", "-1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: no client\n");
    const lookup = calls.find((c) => c.readUInt32BE(12) === 9)!;
    // args: srv name "libvirtd" (4 + 8 bytes), id, flags.
    expect(lookup.subarray(28 + 12, 28 + 20).toString("hex")).toBe("ffffffffffffffff");
    const info = await lr(["admin", "-c", uri, "client-info", "libvirtd", "-1"]);
    expect(info.stderr).toBe("error: Numeric value '-1' for <client> option is malformed or out of range\n");
  });

  it("a client ID may have blanks and a + in front, as strtoull allows", async () => {
    calls.length = 0;
    for (const id of [" 5", "+5"]) {
      const r = await lr(["admin", "-c", uri, "client-info", "libvirtd", id]);
      expect(r.stderr).toBe("error: no client\n");
    }
    expect(calls.filter((c) => c.readUInt32BE(12) === 9)).toHaveLength(2);
  });

  it("--help is every command's, as vsh's: help, exit 0", async () => {
    const r = await lr(["admin", "-c", uri, "srv-list", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("server-list");
  });
});
