import { createConnection, createServer, type AddressInfo, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codecs, remoteProgram } from "../../src/gen/remote_protocol.js";
import { FrameDecoder } from "../../src/rpc/frame.js";
import { decodeInbound } from "../../src/rpc/message.js";
import { parseUri } from "../../src/uri.js";
import { sharedDaemon, virshFails } from "./daemon.js";

const daemon = sharedDaemon();

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
});
