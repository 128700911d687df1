import { KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION, KeepaliveProcedure } from "../gen/virkeepaliveprotocol.js";
import { XdrWriter } from "../xdr/index.js";
import { MessageStatus, MessageType, encodeMessage } from "./message.js";
import * as trace from "./trace.js";

/** What keepalive needs of the frame link (FrameLink has it all). */
export interface KeepaliveLink {
  /** True while the session has stopped reading (a stream consumer is full). */
  readonly isPaused: boolean;
  /** True while a frame with this tag waits unsent. */
  has(tag: number): boolean;
  send(frame: Uint8Array, tag: number): void;
}

export interface KeepaliveStats {
  /** Keepalive messages with a procedure other than PING and PONG, which libvirt ignores. */
  ignoredKeepalives: number;
}

/** Tags of keepalive frames in the link's queue; calls are tagged with their serial (>= 1). */
const TAG_PING = -1;
const TAG_PONG = -2;
/** setInterval's largest period; above it Node fires after 1 ms. */
const MAX_TIMER = 0x7fffffff;

/**
 * libvirt's keepalive protocol on the client's side: answers the daemon's
 * PINGs, and (once started) sends PINGs into silence and declares the
 * daemon dead when they go unanswered. Silence is counted in whole
 * messages, as libvirt's is, not bytes: the session reports each one.
 */
export class Keepalive {
  /** When the last whole message arrived. */
  private lastInbound = Date.now();
  private timer: NodeJS.Timeout | null = null;
  /** PINGs sent into the current silence. */
  private sent = 0;
  /** When a PING last went out while reading was stopped. */
  private lastPing = 0;
  private closed = false;
  private readonly writer = new XdrWriter(64);

  constructor(
    private readonly link: KeepaliveLink,
    private readonly stats: KeepaliveStats,
    /** The connection's number in trace output. */
    private readonly traceId: number,
    /** The daemon is silent past the limit: the owner closes the connection with this message. */
    private readonly onDead: (message: string) => void,
  ) {}

  /** A whole message arrived from the daemon. */
  received(): void {
    this.lastInbound = Date.now();
    this.sent = 0;
  }

  /** Reading resumes after a stop of our own: the daemon's silence meanwhile says nothing about it. */
  readingResumed(): void {
    this.lastInbound = Date.now();
  }

  /** A keepalive message from the daemon: a PING is answered, an unknown procedure counted and ignored. */
  onMessage(proc: number): void {
    trace.keepalive(this.traceId, "received", proc);
    if (proc === KeepaliveProcedure.KEEPALIVE_PROC_PING) this.send(KeepaliveProcedure.KEEPALIVE_PROC_PONG);
    else if (proc !== KeepaliveProcedure.KEEPALIVE_PROC_PONG) this.stats.ignoredKeepalives++;
  }

  /**
   * Client keepalive as libvirt's client does it: a PING after every
   * `interval` ms of silence, and the connection given up once the peer has
   * been silent for interval × (count + 1), i.e. `count` PINGs unanswered.
   * An interval of 0 (or less) turns it off.
   */
  start(interval: number, count: number): void {
    this.stop();
    if (interval <= 0 || this.closed) return;
    this.sent = 0;
    this.lastPing = 0;
    // Ticking faster than the interval keeps the deadline within a quarter of it.
    this.timer = setInterval(() => this.tick(interval, count), Math.min(Math.max(interval / 4, 10), MAX_TIMER));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The connection is closed: no timer, and nothing more is sent. */
  close(): void {
    this.closed = true;
    this.stop();
  }

  private tick(interval: number, count: number): void {
    if (this.link.isPaused) {
      // Not reading is our doing, not the daemon's silence; our PINGs keep the daemon's keepalive content.
      if (Date.now() - this.lastPing >= interval) {
        this.lastPing = Date.now();
        this.send(KeepaliveProcedure.KEEPALIVE_PROC_PING);
      }
      return;
    }
    const silent = Date.now() - this.lastInbound;
    if (silent >= interval * (count + 1)) {
      this.onDead(`no reply to ${count} keepalive pings (${(silent / 1000).toFixed(1)} s of silence)`);
    } else if (silent >= interval * (this.sent + 1)) {
      this.sent++;
      this.send(KeepaliveProcedure.KEEPALIVE_PROC_PING);
    }
  }

  private send(proc: number): void {
    if (this.closed) return;
    // One unsent PING or PONG says all there is to say: a peer that floods
    // PINGs and never reads must not grow a queue of answers.
    const tag = proc === KeepaliveProcedure.KEEPALIVE_PROC_PING ? TAG_PING : TAG_PONG;
    if (this.link.has(tag)) return;
    const header = { prog: KEEPALIVE_PROGRAM, vers: KEEPALIVE_PROTOCOL_VERSION, proc, type: MessageType.VIR_NET_MESSAGE, serial: 0, status: MessageStatus.VIR_NET_OK };
    this.link.send(encodeMessage(this.writer, header, null, undefined), tag);
    trace.keepalive(this.traceId, "sent", proc);
  }
}
