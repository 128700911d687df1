import type { Duplex } from "node:stream";
import { remoteProgram } from "../../src/gen/remote_protocol.js";
import { FrameDecoder } from "../../src/rpc/frame.js";
import { MessageStatus, MessageType, decodeInbound, encodeMessage, type Header } from "../../src/rpc/message.js";
import { RpcSession, type SessionOptions } from "../../src/rpc/session.js";
import { memoryPair } from "../../src/transport/memory.js";
import { XdrWriter, type Codec } from "../../src/xdr/index.js";

/** The daemon side of an in-memory connection, driven by the test. */
export class FakeDaemon {
  readonly received: { header: Header; body: Uint8Array }[] = [];
  private readonly frames = new FrameDecoder();
  private readonly writer = new XdrWriter();
  private waiters: (() => void)[] = [];

  constructor(readonly stream: Duplex) {
    stream.on("data", (chunk: Uint8Array) => {
      for (const f of this.frames.push(chunk)) {
        const { header, body } = decodeInbound(f);
        this.received.push({ header, body: Uint8Array.from(f.subarray(body.pos)) });
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves once `n` messages have arrived in all. */
  async receivedCount(n: number): Promise<void> {
    while (this.received.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  send<T>(header: Partial<Header>, codec: Codec<T> | null = null, body?: T): void {
    const h: Header = {
      prog: remoteProgram.program,
      vers: remoteProgram.version,
      proc: 1,
      type: MessageType.VIR_NET_REPLY,
      serial: 0,
      status: MessageStatus.VIR_NET_OK,
      ...header,
    };
    this.stream.write(encodeMessage(this.writer, h, codec, body as T));
  }

  /** Raw bytes, for frames no encoder would make. */
  sendRaw(bytes: Uint8Array): void {
    this.stream.write(bytes);
  }

  /** Replies to a received call with the given body. */
  reply<T>(to: Header, codec: Codec<T> | null, body?: T, status: Header["status"] = MessageStatus.VIR_NET_OK): void {
    this.send({ ...to, type: MessageType.VIR_NET_REPLY, status }, codec, body);
  }
}

/** A session talking to a fake daemon over an in-memory pair. */
export function sessionPair(options: Partial<SessionOptions> = {}): { session: RpcSession; daemon: FakeDaemon } {
  const [client, server] = memoryPair();
  const session = new RpcSession(client, { programs: [remoteProgram], ...options });
  return { session, daemon: new FakeDaemon(server) };
}
