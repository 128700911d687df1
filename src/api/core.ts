/**
 * What the generated friendly classes (src/gen/friendly/) stand on: the
 * connection they call through, the handle base class, and the two things
 * every method does: default `flags` to 0, and give a failed call's error
 * the caller's stack.
 */
import type { Client } from "../client/client.js";
import { LibvirtError, LibvirtRemoteError } from "../rpc/errors.js";
import type { CallOptions } from "../rpc/session.js";

/** The exact layer underneath (`raw`): one method per procedure, as the protocol has it. */
export class ConnectionCore {
  constructor(readonly raw: Client) {}
}

/**
 * An object of the daemon's (a domain, a pool, ...) bound to its
 * connection, as libvirt-python's virDomain etc. `ref` is the reference the
 * protocol sends, for the exact layer and event filters.
 */
export abstract class Handle<R extends object> {
  /** @internal The reference as last read; `ref` is its public face. */
  protected current: R;

  constructor(
    readonly conn: ConnectionCore,
    ref: R,
  ) {
    this.current = ref;
  }

  /**
   * The protocol's reference (`{ name, uuid, id }` for a domain), for the exact layer.
   * @internal Plumbing between the layers, left out of the reference pages; the type keeps it.
   */
  get ref(): R {
    return this.current;
  }

  /** Reads the reference again; kinds that can, do (see the generated classes). */
  async reload(_options?: CallOptions): Promise<void> {}

  /**
   * After starting or stopping: the new `id`. An object the daemon no longer
   * knows (a transient domain, destroyed) keeps its name and UUID, with id -1
   * as libvirt gives a stopped domain.
   */
  protected async settle(options?: CallOptions): Promise<void> {
    try {
      await this.reload(options);
    } catch (e) {
      if (!(e instanceof LibvirtError)) throw e;
      if ("id" in this.current) this.current = { ...this.current, id: -1 };
    }
  }
}

/** `(flags?, options?)` or `(options?)`: flags default to 0, as in libvirt-python. */
export function flagsAnd<O extends object>(flags: number | O | undefined, options: O | undefined): [number, O | undefined] {
  if (typeof flags === "object" && flags !== null) return [0, flags];
  return [flags ?? 0, options];
}

/**
 * Awaits a call; if it fails, the error's stack gets the frames of whoever
 * awaited it. A reply is decoded in a socket handler, so the error alone
 * shows only socket internals; an Error made here, after the await, carries
 * V8's async frames (the friendly method, the caller's line). Free when the
 * call succeeds.
 */
export async function track<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    if (e instanceof LibvirtRemoteError && typeof e.stack === "string" && !e.stack.includes(CALLED_FROM)) {
      const frames = (new Error().stack ?? "").split("\n").slice(2);
      if (frames.length > 0) e.stack = `${e.stack}\n    ${CALLED_FROM}\n${frames.join("\n")}`;
    }
    throw e;
  }
}

const CALLED_FROM = "--- called from ---";
