import { AbortError } from "../rpc/errors.js";
import { STREAM_PACKET, type StreamHandle } from "../rpc/session.js";
import { Hole } from "./hole.js";

/**
 * What an upload reads: a Node Readable or any (async) iterable of bytes,
 * with Hole records for sparse sources. Chunks are written as they are, not
 * copied: a source must not reuse a chunk's memory once it has given it.
 */
export type UploadSource = AsyncIterable<Uint8Array | Hole> | Iterable<Uint8Array | Hole>;

export interface SendOptions {
  signal?: AbortSignal;
  /** Called after each chunk is queued, with the bytes sent and holes skipped so far (progress bars). */
  onProgress?: (done: number) => void;
}

/** Bytes the session may hold unsent before the source is read further: the socket's backpressure reaches the source. */
const SEND_WINDOW = 2 * 1024 * 1024;

/**
 * Sends a source over an open stream and finishes it: resolves once the
 * daemon has confirmed the finish, i.e. has all the data. Data is gathered
 * into packets of libvirt's size; a Hole is sent as a hole when the
 * stream is sparse and as zeros otherwise. A failing source, the signal,
 * or a daemon error aborts the stream; the daemon's own error is what the
 * promise rejects with.
 */
export async function sendAll(handle: StreamHandle, sparse: boolean, source: UploadSource, failure: Promise<never>, what: string, options: SendOptions = {}): Promise<void> {
  const { signal, onProgress } = options;
  let failed: Error | null = null;
  // The daemon's error, the connection's end or the signal stop the loop at its next await, even one on the source.
  let stop!: (err: Error) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => {});
  const halt = (e: unknown): void => {
    failed ??= e instanceof Error ? e : new Error(String(e));
    stop(failed);
  };
  failure.catch(halt);
  const onAbort = (): void => halt(new AbortError(`${what} was aborted`, { cause: signal?.reason }));
  if (signal?.aborted === true) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  let staging = Buffer.allocUnsafe(STREAM_PACKET);
  let staged = 0;
  let done = 0;
  const check = (): void => {
    if (failed !== null) throw failed;
  };
  const ship = async (bytes: Uint8Array): Promise<void> => {
    check();
    if (!handle.send(bytes)) throw failed ?? new Error(`the stream of ${what} is closed`);
    if (handle.backlog > SEND_WINDOW) await Promise.race([handle.drained(), stopped]);
  };
  const flush = async (): Promise<void> => {
    if (staged === 0) return;
    // The session writes data as it is, not copied: the staged bytes go with it, and a new buffer stages the next.
    const bytes = staging.subarray(0, staged);
    staging = Buffer.allocUnsafe(STREAM_PACKET);
    staged = 0;
    await ship(bytes);
  };
  const iterator = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()) as AsyncIterator<Uint8Array | Hole> | Iterator<Uint8Array | Hole>;
  try {
    check();
    for (;;) {
      const step = await Promise.race([iterator.next(), stopped]);
      if (step.done === true) break;
      const chunk = step.value;
      if (chunk instanceof Hole) {
        await flush();
        if (sparse) {
          check();
          if (!handle.sendHole(chunk.length)) throw failed ?? new Error(`the stream of ${what} is closed`);
        } else {
          for (let left = chunk.length; left > 0; left -= STREAM_PACKET) await ship(new Uint8Array(Math.min(left, STREAM_PACKET)));
        }
        done += chunk.length;
      } else {
        let at = 0;
        // Top up what is gathered; then whole packets straight from the chunk; the rest is gathered.
        if (staged > 0) {
          at = Math.min(chunk.length, STREAM_PACKET - staged);
          staging.set(chunk.subarray(0, at), staged);
          staged += at;
          if (staged === STREAM_PACKET) await flush();
        }
        if (staged === 0) {
          for (; chunk.length - at >= STREAM_PACKET; at += STREAM_PACKET) await ship(chunk.subarray(at, at + STREAM_PACKET));
          staging.set(chunk.subarray(at), 0);
          staged = chunk.length - at;
        }
        done += chunk.length;
      }
      onProgress?.(done);
    }
    await flush();
    check();
    await handle.finish();
  } catch (e) {
    // A source left half-read (or never read) is told to clean up (a file stream closes its descriptor).
    releaseSource(source, iterator);
    if (handle.isOpen) await handle.abort().catch(() => {});
    throw failed ?? e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Tells a source that will not be read further to let go of what it holds.
 * A Readable is destroyed directly: its async iterator, if never started,
 * would not destroy it on return().
 */
export function releaseSource(input: UploadSource, started?: AsyncIterator<unknown> | Iterator<unknown>): void {
  const destroy = (input as { destroy?: unknown }).destroy;
  if (typeof destroy === "function") {
    (destroy as () => void).call(input);
    return;
  }
  try {
    const it = started ?? (Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : input[Symbol.iterator]());
    void Promise.resolve(it.return?.()).catch(() => {});
  } catch {
    // A source that cannot even give an iterator holds nothing of ours.
  }
}
