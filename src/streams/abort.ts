import { AbortError } from "../rpc/errors.js";
import type { StreamHandle } from "../rpc/session.js";

/**
 * What destroy() does to a stream: an open stream is aborted and the
 * daemon's confirmation awaited, so 'close' means the daemon's side is
 * gone; a stream already finishing is let finish. The callback gets the
 * destroying error, never the abort's own outcome.
 */
export function settleOnDestroy(handle: StreamHandle | null, finishing: Promise<void> | null, err: Error | null, cb: (err: Error | null) => void): void {
  const done = (): void => cb(err);
  if (finishing !== null) finishing.then(done, done);
  else if (handle?.isOpen === true) handle.abort().then(done, done);
  else done();
}

/** Destroys `target` with an AbortError when the signal fires; returns the un-listen function. */
export function destroyOnAbort(signal: AbortSignal | undefined, what: string, target: { destroy(err: Error): void }): () => void {
  if (signal === undefined) return () => {};
  const onAbort = (): void => target.destroy(new AbortError(`${what} was aborted`, { cause: signal.reason }));
  if (signal.aborted) {
    queueMicrotask(onAbort);
    return () => {};
  }
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}
