import { Duplex } from "node:stream";
import type { Transport } from "./transport.js";

/**
 * Two connected in-memory streams: what one writes, the other reads. Ending
 * one side ends the other's readable side, as a socket's FIN would.
 */
export function memoryPair(): [Duplex, Duplex] {
  const make = (): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, done) {
        peer(this).push(Uint8Array.from(chunk));
        done();
      },
      final(done) {
        peer(this).push(null);
        done();
      },
      destroy(err, done) {
        const other = peer(this);
        if (!other.destroyed) other.destroy();
        done(err);
      },
    });
  const a = make();
  const b = make();
  const peers = new Map<Duplex, Duplex>([
    [a, b],
    [b, a],
  ]);
  const peer = (d: Duplex): Duplex => peers.get(d)!;
  return [a, b];
}

/** A transport whose connections are served in-process, for unit tests. */
export class MemoryTransport implements Transport {
  readonly description = "memory";
  constructor(private readonly serve: (server: Duplex) => void) {}

  async connect(): Promise<Duplex> {
    const [client, server] = memoryPair();
    this.serve(server);
    return client;
  }
}
