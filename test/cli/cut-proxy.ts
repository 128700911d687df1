// A TCP proxy in front of a real daemon that cuts the connection in the
// middle of a stream: it forwards the daemon's stream data packets until
// `after` bytes of data have passed, then half of the next packet, then closes
// both sides. Where the cut falls depends on bytes, never on timing.
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** virnetprotocol.x: VIR_NET_STREAM, VIR_NET_CONTINUE; the header is six unsigned ints after the length word. */
const STREAM = 3;
const CONTINUE = 2;
const HEADER = 4 + 24;

export interface CutProxy {
  port: number;
  /** Connections cut so far. */
  cuts(): number;
  close(): Promise<void>;
}

export async function cutProxy(daemonPort: number, after: number): Promise<CutProxy> {
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const daemon = createConnection({ host: "127.0.0.1", port: daemonPort });
    for (const s of [client, daemon]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    client.pipe(daemon);
    let pending = Buffer.alloc(0);
    let data = 0;
    daemon.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= HEADER) {
        const length = pending.readUInt32BE(0);
        if (pending.length < length) return;
        const frame = pending.subarray(0, length);
        pending = pending.subarray(length);
        const isData = frame.readUInt32BE(16) === STREAM && frame.readUInt32BE(24) === CONTINUE && length > HEADER;
        if (isData && data >= after) {
          cuts++;
          client.end(frame.subarray(0, HEADER + Math.floor((length - HEADER) / 2)), () => {
            client.destroy();
            daemon.destroy();
          });
          daemon.removeAllListeners("data");
          return;
        }
        if (isData) data += length - HEADER;
        client.write(frame);
      }
    });
    daemon.on("end", () => client.end());
    client.on("close", () => daemon.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    cuts: () => cuts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
