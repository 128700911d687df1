import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { TransportError } from "../../src/rpc/errors.js";
import { TlsTransport } from "../../src/transport/tls.js";

describe("TlsTransport: material node:tls refuses", () => {
  it("a CRL that cannot be parsed fails with a TransportError and leaves no TCP connection open", async () => {
    const accepted: Socket[] = [];
    const closed: Socket[] = [];
    const server = createServer((s) => {
      accepted.push(s);
      s.on("close", () => closed.push(s));
      s.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      const t = new TlsTransport("127.0.0.1", port, { credentials: { ca: "not a certificate", crl: "not a CRL" }, noSanity: true });
      const err = await t.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TransportError);
      await expect.poll(() => accepted.length).toBe(1);
      await expect.poll(() => closed.length, { timeout: 2000 }).toBe(1);
    } finally {
      for (const s of accepted) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
