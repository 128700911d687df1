// Counts keepalive messages on a connection by watching its bytes, since
// the session answers PINGs itself and exposes no counter.

import type { Duplex } from "node:stream";
import { KEEPALIVE_PROGRAM, KeepaliveProcedure } from "../src/gen/virkeepaliveprotocol.js";
import type { Transport } from "../src/index.js";

export interface KeepaliveCounts {
  pingsIn: number;
  pongsIn: number;
  pingsOut: number;
  pongsOut: number;
  /** When the last keepalive message was seen, either way (ms since epoch). */
  last: number;
}

/** Length word plus prog, vers, proc: all a keepalive message needs to be told apart. */
const HEAD = 16;

/** Follows frame boundaries across arbitrary chunking and reports each frame's prog and proc. */
class FrameScanner {
  private readonly head = new Uint8Array(HEAD);
  private have = 0;
  private skip = 0;

  constructor(private readonly onFrame: (prog: number, proc: number) => void) {}

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const n = Math.min(HEAD - this.have, chunk.length - i);
      this.head.set(chunk.subarray(i, i + n), this.have);
      this.have += n;
      i += n;
      if (this.have < HEAD) continue;
      const v = new DataView(this.head.buffer);
      this.onFrame(v.getUint32(4), v.getUint32(12));
      this.skip = Math.max(0, v.getUint32(0) - HEAD);
      this.have = 0;
    }
  }
}

/** Wraps a transport so every stream it opens is counted into `counts`. */
export function tapKeepalive(inner: Transport, counts: KeepaliveCounts): Transport {
  const count = (dir: "In" | "Out") => (prog: number, proc: number) => {
    if (prog !== KEEPALIVE_PROGRAM) return;
    counts.last = Date.now();
    if (proc === KeepaliveProcedure.KEEPALIVE_PROC_PING) counts[`pings${dir}`]++;
    else if (proc === KeepaliveProcedure.KEEPALIVE_PROC_PONG) counts[`pongs${dir}`]++;
  };
  return {
    description: inner.description,
    async connect(signal?: AbortSignal): Promise<Duplex> {
      const stream = await inner.connect(signal);
      const inbound = new FrameScanner(count("In"));
      const outbound = new FrameScanner(count("Out"));
      stream.on("data", (chunk: Uint8Array) => inbound.push(chunk));
      // The session writes whole frames; look at them on the way out.
      const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
      stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
        if (chunk instanceof Uint8Array) outbound.push(chunk);
        return write(chunk, ...rest);
      }) as Duplex["write"];
      return stream;
    },
  };
}

export function newCounts(): KeepaliveCounts {
  return { pingsIn: 0, pongsIn: 0, pingsOut: 0, pongsOut: 0, last: 0 };
}
