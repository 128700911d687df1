import type { CloseInfo } from "../rpc/session.js";
import type { EventGap } from "./gap.js";
import { EventQueue } from "./queue.js";
import type { Sink } from "./sink.js";
import type { LibvirtEvent } from "./types.js";

interface Waiter<T> {
  resolve: (r: IteratorResult<T, undefined>) => void;
  reject: (e: unknown) => void;
}

/**
 * An iterator's buffer: events wait in a bounded queue for `next()`, and
 * `next()` calls wait in a queue of their own for events, so any number of
 * concurrent `next()` calls each get one event, in call order, and all
 * settle when the iterator ends.
 */
export class IteratorSink<T> implements Sink {
  live = false;
  gaps = 0;
  readonly queue: EventQueue<T>;
  private readonly waiters: Waiter<T>[] = [];
  private ended = false;
  private failure: unknown = null;

  constructor(
    capacity: number,
    private readonly wantsGaps: boolean,
  ) {
    this.queue = new EventQueue(capacity);
  }

  push(event: LibvirtEvent | EventGap): void {
    if (this.ended) return;
    const w = this.waiters.shift();
    if (w !== undefined) w.resolve({ value: event as T, done: false });
    else this.queue.push(event as T);
  }

  gap(marker: EventGap): void {
    this.gaps++;
    if (this.wantsGaps) this.push(marker);
  }

  /** The connection ended: what is queued is still read, then `next()` throws its error. */
  end(info: CloseInfo | null): void {
    if (info !== null && info.reason !== "client") return this.fail(info.error);
    this.ended = true;
    for (const w of this.waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }

  /** Registration failed, or the connection died: pending and later `next()` calls reject with `error`. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  /** Ended by the consumer: nothing more is read; every pending `next()` settles as done. */
  stop(): void {
    this.ended = true;
    this.failure = null;
    this.queue.clear();
    for (const w of this.waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const item = this.queue.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}
