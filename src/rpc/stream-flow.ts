/** What inbound flow control needs of the session: whether calls wait, and the switch on reading. */
export interface ReadingControl {
  /** Calls waiting for their replies. */
  readonly waitingCalls: number;
  /** Stops handing frames over and reading the connection, so that TCP holds the daemon back. */
  pause(): void;
  resume(): void;
}

/** A stream's part of the flow control, kept in its table entry. */
export interface FlowState {
  /** The consumer said it is full. */
  full: boolean;
  /** Bytes given to the consumer since it said so (reading on for replies). */
  overflow: number;
}

export interface FlowStats {
  /** Times reading stopped because a stream consumer was full, and milliseconds spent so. */
  streamPauses: number;
  streamPausedMs: number;
  /** The most bytes ever held by full stream consumers while reading on for replies. */
  streamOverflowPeak: number;
}

/**
 * Inbound flow control, the only kind libvirt's protocol has for data the
 * daemon sends: reading stops while a stream consumer is full, so that TCP
 * holds the daemon back (it sends one packet at a time and waits for the
 * socket). While calls wait for replies, reading goes on up to `digLimit`
 * bytes past full consumers, since replies queue behind the stream's data.
 */
export class InboundFlow {
  private fullStreams = 0;
  private overflow = 0;
  private paused = false;
  private pausedSince = 0;
  private closed = false;

  constructor(
    private readonly reading: ReadingControl,
    private readonly stats: FlowStats,
    private readonly digLimit: number,
  ) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Books what a consumer took and whether it has room left, then decides
   * whether to keep reading. `room` true clears the stream's full state
   * (a consumer with room, or a stream that takes no more data).
   */
  consumed(s: FlowState, room: boolean, bytes: number): void {
    if (room) {
      if (s.full) {
        s.full = false;
        this.fullStreams--;
        this.overflow -= s.overflow;
        s.overflow = 0;
      }
    } else if (!s.full) {
      s.full = true;
      this.fullStreams++;
    } else {
      s.overflow += bytes;
      this.overflow += bytes;
      if (this.overflow > this.stats.streamOverflowPeak) this.stats.streamOverflowPeak = this.overflow;
    }
    this.update();
  }

  /** Decides again whether to read: after a consumer's report, and whenever the number of waiting calls changes. */
  update(): void {
    if (this.closed) return;
    const stop = this.fullStreams > 0 && (this.reading.waitingCalls === 0 || this.overflow >= this.digLimit);
    if (stop && !this.paused) {
      this.stats.streamPauses++;
      this.pausedSince = Date.now();
      this.paused = true;
      this.reading.pause();
    } else if (!stop && this.paused) {
      this.stats.streamPausedMs += Date.now() - this.pausedSince;
      this.paused = false;
      this.reading.resume();
    }
  }

  /** The connection is closed: reading is no longer switched; a pause still running ends here and is booked. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.paused) {
      this.stats.streamPausedMs += Date.now() - this.pausedSince;
      this.paused = false;
    }
  }
}

/** Inbound flow control: see "Streams" in README.md. */
export interface StreamFlowOptions {
  /**
   * While a stream's consumer is full and calls wait for replies, the
   * session keeps reading (to reach the replies behind the stream's data)
   * until this many bytes have gone to full consumers; then reading stops
   * until a consumer makes room. Default 32 MiB.
   */
  digLimit?: number;
}

/** Default of StreamFlowOptions.digLimit. */
export const DIG_LIMIT = 32 * 1024 * 1024;
