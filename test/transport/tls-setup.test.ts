import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { TransportError } from "../../src/rpc/errors.js";
import { TlsTransport } from "../../src/transport/tls.js";

describe("TlsTransport: material node:tls refuses", () => {
  it("a CRL that cannot be parsed fails with ERR_TLS_FILE before dialling, as libvirt loads it before connecting", async () => {
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
      expect((err as TransportError).code).toBe("ERR_TLS_FILE");
      expect((err as Error).message).toContain("CRL (given in options.tls)");
      // A connection made anyway would have been accepted by now: the listener is on loopback and answers at once.
      await new Promise((r) => setTimeout(r, 200));
      expect(accepted.length).toBe(0);
      expect(closed.length).toBe(0);
    } finally {
      for (const s of accepted) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
