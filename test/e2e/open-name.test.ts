import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { createConnection, createServer, type AddressInfo, type Server } from "node:net";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/client/client.js";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { FrameDecoder } from "../../src/rpc/frame.js";
import { decodeInbound } from "../../src/rpc/message.js";
import { TcpTransport } from "../../src/transport/socket.js";
import { parseUri } from "../../src/uri.js";
import { sharedDaemon, virshFails } from "./daemon.js";

const daemon = sharedDaemon();

/**
 * The URI the daemon picks for a client that names none, as virsh prints it:
 * virsh with no URI at all asks the daemon (CONNECT_GET_URI). It runs as the
 * daemon's user with the daemon's runtime dir, where libvirt looks for a
 * session daemon's socket; no autostart, no client config.
 */
async function virshProbedUri(): Promise<string> {
  const { uid, gid } = statSync(daemon!.socket);
  const env = {
    PATH: process.env["PATH"],
    HOME: daemon!.dir,
    XDG_RUNTIME_DIR: dirname(dirname(daemon!.socket)),
    XDG_CONFIG_HOME: join(daemon!.dir, "no-client-config"),
    LIBVIRT_AUTOSTART: "0",
  };
  const as = process.getuid?.() === 0 ? { uid, gid } : {};
  const { stdout } = await promisify(execFile)("virsh", ["uri"], { env, ...as, encoding: "utf8" });
  return stdout.trim();
}

describe.skipIf(daemon === null)("the CONNECT_OPEN name, compared with what virsh sends", () => {
  let proxy: Server;
  let port = 0;
  const names: (string | null)[] = [];

  beforeAll(async () => {
    // A pass-through proxy that reads the name out of each client's CONNECT_OPEN.
    proxy = createServer((client) => {
      const upstream = createConnection({ host: "127.0.0.1", port: daemon!.tcpPort });
      const frames = new FrameDecoder();
      client.on("data", (chunk: Uint8Array) => {
        for (const f of frames.push(chunk)) {
          const { header, body } = decodeInbound(f);
          if (header.proc === remoteProgram.procedures.connectOpen.number) names.push(codecs.remote_connect_open_args.decode(body).name);
        }
      });
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    port = (proxy.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => proxy.close(() => r())));

  const uris = [
    "test+tcp://127.0.0.1:PORT/default",
    "test+tcp://127.0.0.1:PORT/default?no_verify=1&mode=legacy&foo=bar",
    "test+tcp://someone@127.0.0.1:PORT/default?keyfile=/x&authfile=/y",
    "qemu+tcp://127.0.0.1:PORT/session?socket=/nowhere",
    "test+tcp://127.0.0.1:PORT/default?name=test:///default",
  ];
  for (const template of uris) {
    it(template, async () => {
      const uri = template.replace("PORT", String(port));
      names.length = 0;
      await virshFails(uri, "uri");
      expect(names.length).toBeGreaterThan(0);
      expect(parseUri(uri).name).toBe(names[0]);
    });
  }

  // Issue 13, defect 2: libvirt's doRemoteOpen sends a present empty string (never an absent
  // name) when there is no URI ("probe URI server side"), for remote:// URIs ("allow remote
  // server to probe") and for an explicit empty name=.
  describe("an empty name is sent present and empty, and the daemon picks its driver", () => {
    let probed = "";
    beforeAll(async () => {
      probed = await virshProbedUri();
      // The shared daemon runs unprivileged: its own driver is the QEMU session one.
      expect(probed).toBe("qemu:///session");
    });

    async function ours(uri: string | undefined, options: Parameters<typeof connect>[1] = {}): Promise<{ name: string | null | undefined; uri: string }> {
      names.length = 0;
      const saved = process.env["LIBVIRT_DEFAULT_URI"];
      delete process.env["LIBVIRT_DEFAULT_URI"];
      try {
        const client = await connect(uri, { keepalive: false, ...options });
        try {
          return { name: names[0], uri: (await client.connectGetUri()).uri };
        } finally {
          await client.close();
        }
      } finally {
        if (saved !== undefined) process.env["LIBVIRT_DEFAULT_URI"] = saved;
      }
    }

    for (const template of ["remote+tcp://127.0.0.1:PORT/", "test+tcp://127.0.0.1:PORT/default?name="]) {
      it(`${template}: the same name as virsh, and the connection opens`, async () => {
        const uri = template.replace("PORT", String(port));
        names.length = 0;
        await virshFails(uri, "uri");
        expect(names[0]).toBe("");
        const got = await ours(uri);
        expect(got.name).toBe("");
        expect(got.uri).toBe(probed);
      });
    }

    it("no URI at all (and no LIBVIRT_DEFAULT_URI): an empty name, and the connection opens", async () => {
      const got = await ours(undefined, { transport: new TcpTransport("127.0.0.1", port) });
      expect(got.name).toBe("");
      expect(got.uri).toBe(probed);
    });

    it("remote+unix:///?socket=: the connection opens", async () => {
      const got = await ours(`remote+unix:///?socket=${daemon!.socket}`);
      expect(got.uri).toBe(probed);
    });
  });
});
