import { open, type FileHandle } from "node:fs/promises";
import { Hole } from "./hole.js";

export interface SparseWriteResult {
  /** The file's size: data and holes. */
  size: number;
  /** Bytes of data written; the rest are holes. */
  data: number;
}

/**
 * Writes data and Hole records to a file, leaving holes unallocated (seeked
 * over, and the size fixed with ftruncate at the end), as virsh
 * vol-download --sparse does. The file is created or truncated.
 */
export async function writeSparseFile(source: AsyncIterable<Uint8Array | Hole>, path: string, options: { onProgress?: (done: number) => void } = {}): Promise<SparseWriteResult> {
  const file = await open(path, "w");
  let pos = 0;
  let data = 0;
  try {
    for await (const chunk of source) {
      if (chunk instanceof Hole) {
        pos += chunk.length;
      } else {
        await writeAll(file, chunk, pos);
        pos += chunk.length;
        data += chunk.length;
      }
      options.onProgress?.(pos);
    }
    // A trailing hole exists only once the size says so.
    await file.truncate(pos);
  } finally {
    await file.close();
  }
  return { size: pos, data };
}

async function writeAll(file: FileHandle, bytes: Uint8Array, pos: number): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await file.write(bytes, at, bytes.length - at, pos + at);
    at += bytesWritten;
  }
}

export interface SparseReadOptions {
  /** Bytes per read, and the granularity at which zeros are recognised as holes. Default 64 KiB. */
  blockSize?: number;
  /** Read only from here. */
  offset?: number;
  /** Read at most this many bytes. */
  length?: number;
  /**
   * Look for holes at all. Default: only when the file has fewer blocks
   * allocated than its size needs (a dense file is sent as it is).
   */
  detectHoles?: boolean;
}

const ZEROS = new Uint8Array(1024 * 1024);

/**
 * Reads a file as data and Hole records. Node has no lseek(SEEK_DATA /
 * SEEK_HOLE), which virsh uses, so holes are found as blocks of zeros:
 * a hole in the file is found (it reads as zeros), and so are zeros that
 * were written, which a sparse copy may drop as well (as `cp --sparse` does).
 */
export async function* readSparseFile(path: string, options: SparseReadOptions = {}): AsyncGenerator<Buffer | Hole> {
  const block = options.blockSize ?? 64 * 1024;
  if (!(block > 0 && block <= ZEROS.length)) throw new RangeError(`blockSize must be from 1 to ${ZEROS.length}`);
  const file = await open(path, "r");
  try {
    const st = await file.stat();
    const start = options.offset ?? 0;
    const end = Math.min(st.size, options.length === undefined ? Infinity : start + options.length);
    const detect = options.detectHoles ?? st.blocks * 512 < st.size;
    // Reads of many blocks at once (4 MiB: fastest over a long hole here); each block is then data or hole.
    const readSize = Math.max(block, Math.floor((4 * 1024 * 1024) / block) * block);
    let hole = 0;
    // Reused until data from it has been handed out: reading a long hole then
    // touches one buffer, not a fresh (page-faulting) megabyte per read.
    let buf = Buffer.allocUnsafe(readSize);
    let handedOut = false;
    for (let pos = start; pos < end; ) {
      const want = Math.min(readSize, end - pos);
      if (handedOut) {
        buf = Buffer.allocUnsafe(readSize);
        handedOut = false;
      }
      let got = 0;
      while (got < want) {
        const { bytesRead } = await file.read(buf, got, want - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got === 0) break;
      pos += got;
      if (!detect) {
        handedOut = true;
        yield buf.subarray(0, got);
        continue;
      }
      let dataStart = -1;
      for (let at = 0; at < got; at += block) {
        const n = Math.min(block, got - at);
        const zero = Buffer.compare(buf.subarray(at, at + n), ZEROS.subarray(0, n)) === 0;
        if (zero) {
          if (dataStart >= 0) {
            handedOut = true;
            yield buf.subarray(dataStart, at);
            dataStart = -1;
          }
          hole += n;
        } else {
          if (hole > 0) {
            yield new Hole(hole);
            hole = 0;
          }
          if (dataStart < 0) dataStart = at;
        }
      }
      if (dataStart >= 0) {
        handedOut = true;
        yield buf.subarray(dataStart, got);
      }
    }
    if (hole > 0) yield new Hole(hole);
  } finally {
    await file.close();
  }
}
