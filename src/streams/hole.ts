/**
 * A run of `length` zero bytes that a sparse stream carries as a count
 * instead of data (libvirt's STREAM_HOLE), and that a sparse file keeps
 * unallocated.
 */
export class Hole {
  // Type-only, no run-time field: a private member makes the class nominal. Else a
  // Buffer (which has a `length`) would pass for a Hole, and `isHole(c)` would narrow
  // a `Buffer | Hole` chunk to `never` on its false branch.
  declare private readonly nominal: never;

  constructor(readonly length: number) {
    if (!Number.isSafeInteger(length) || length <= 0) throw new RangeError(`a hole's length must be a positive whole number, not ${length}`);
  }
}

/** What a sparse stream yields or takes: data, or a hole. */
export type StreamChunk = Buffer | Hole;

/** A download's chunks: Buffers, with Hole records between them when asked for (`holes: "records"`). */
export type DownloadChunk<O> = O extends { holes: "records" } ? Buffer | Hole : Buffer;

export function isHole(x: unknown): x is Hole {
  return x instanceof Hole;
}
