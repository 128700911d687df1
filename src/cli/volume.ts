import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import type { Client } from "../client/client.js";
import { connect } from "./connection.js";
import { VirStorageVolDownloadFlags, VirStorageVolUploadFlags } from "../gen/libvirt_storage.js";
import type { RemoteNonnullStorageVol } from "../gen/remote_protocol.js";
import { readSparseFile, writeSparseFile } from "../streams/sparse.js";
import { CommandError } from "./command-error.js";
import { Progress } from "./progress.js";
import { TargetFile } from "./target-file.js";
import { UsageError } from "./usage.js";

export const VOL_UPLOAD_USAGE = `usage: libvirt-remote vol-upload [-c URI] [--pool POOL] VOL FILE [--offset N] [--length N] [--sparse]

Uploads FILE into a storage volume, as virsh vol-upload does. VOL is a
name (with --pool), a key or a path. --sparse sends the file's holes as
holes. A progress bar shows on a terminal.`;

export const VOL_DOWNLOAD_USAGE = `usage: libvirt-remote vol-download [-c URI] [--pool POOL] VOL FILE [--offset N] [--length N] [--sparse]

Downloads a storage volume into FILE, as virsh vol-download does.
--sparse keeps the volume's holes as holes in FILE. A progress bar shows
on a terminal.`;

/** File reads and writes in 4 MiB steps: fewer thread-pool round trips than fs streams' 64 KiB / 16 KiB defaults. */
const IO_CHUNK = 4 * 1024 * 1024;

const OPTIONS = {
  connect: { type: "string", short: "c" },
  pool: { type: "string" },
  offset: { type: "string" },
  length: { type: "string" },
  sparse: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

function parse(argv: string[], usage: string): { uri: string | undefined; pool: string | undefined; vol: string; file: string; offset: bigint; length: bigint; sparse: boolean } | null {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return null;
  }
  const [vol, file] = positionals;
  if (vol === undefined || file === undefined || positionals.length !== 2) throw new UsageError(usage);
  return { uri: values.connect, pool: values.pool, vol, file, offset: bytes("offset", values.offset), length: bytes("length", values.length), sparse: values.sparse };
}

function bytes(name: string, text: string | undefined): bigint {
  if (text === undefined) return 0n;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} takes a whole number of bytes, not '${text}'`);
  return BigInt(text);
}

/** A volume by name in a pool, or by key or path, as virsh looks it up. */
async function lookupVolume(client: Client, pool: string | undefined, vol: string): Promise<RemoteNonnullStorageVol> {
  if (pool !== undefined) {
    const { pool: p } = await client.storagePoolLookupByName({ name: pool });
    return (await client.storageVolLookupByName({ pool: p, name: vol })).vol;
  }
  try {
    return (await client.storageVolLookupByKey({ key: vol })).vol;
  } catch {
    return (await client.storageVolLookupByPath({ path: vol })).vol;
  }
}

export async function volUploadMain(argv: string[]): Promise<number> {
  const a = parse(argv, VOL_UPLOAD_USAGE);
  if (a === null) return 0;
  const size = (await stat(a.file)).size;
  const client = await connect(a.uri);
  try {
    const vol = await lookupVolume(client, a.pool, a.vol);
    const total = a.length > 0n ? Math.min(Number(a.length), size) : size;
    const progress = new Progress(total);
    const flags = a.sparse ? VirStorageVolUploadFlags.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0;
    const source = a.sparse
      ? readSparseFile(a.file, a.length > 0n ? { length: Number(a.length) } : {})
      : createReadStream(a.file, { highWaterMark: IO_CHUNK, ...(a.length > 0n ? { end: Number(a.length) - 1 } : {}) });
    await client.storageVolUpload({ vol, offset: a.offset, length: a.length, flags }, source, { onProgress: (n) => progress.update(n) });
    progress.done(total);
  } finally {
    await client.close();
  }
  return 0;
}

export async function volDownloadMain(argv: string[]): Promise<number> {
  const a = parse(argv, VOL_DOWNLOAD_USAGE);
  if (a === null) return 0;
  const client = await connect(a.uri);
  try {
    const vol = await lookupVolume(client, a.pool, a.vol);
    const progress = new Progress(await downloadSize(client, vol, a));
    // virsh's order: the file is created (or truncated) before the download is asked for.
    const target = await TargetFile.open(a.file).catch((e: unknown) => {
      throw new CommandError(`cannot create ${a.file}`, e);
    });
    try {
      await download(client, vol, a, target, progress);
    } catch (e) {
      progress.abandon();
      await target.discard();
      throw e;
    }
  } finally {
    await client.close();
  }
  return 0;
}

/**
 * The bytes to expect, for the progress bar only: virsh asks nothing before
 * downloading, so a volume whose information cannot be read (0, unknown)
 * fails, or not, at the download as with virsh.
 */
async function downloadSize(client: Client, vol: RemoteNonnullStorageVol, a: { offset: bigint; length: bigint }): Promise<number> {
  if (a.length > 0n) return Number(a.length);
  if (!Progress.shows()) return 0;
  const info = await client.storageVolGetInfo({ vol }).catch(() => null);
  return info === null ? 0 : Number(info.capacity - a.offset);
}

async function download(client: Client, vol: RemoteNonnullStorageVol, a: { vol: string; offset: bigint; length: bigint; sparse: boolean }, target: TargetFile, progress: Progress): Promise<void> {
  const args = { vol, offset: a.offset, length: a.length, flags: a.sparse ? VirStorageVolDownloadFlags.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0 };
  const stream = await client.storageVolDownload(args, a.sparse ? { holes: "records" } : {}).catch((e: unknown) => {
    throw new CommandError(`cannot download from volume ${a.vol}`, e);
  });
  // Until the writing below takes the stream's error, a cut connection must not be an unhandled 'error'.
  stream.on("error", () => {});
  const receiving = (e: unknown): never => {
    throw new CommandError(`cannot receive data from volume ${a.vol}`, e);
  };
  if (a.sparse) {
    // writeSparseFile opens the file by its path again (truncating what this run just opened).
    await target.handle.close();
    const { size } = await writeSparseFile(stream, target.path, { onProgress: (n) => progress.update(n) }).catch(receiving);
    progress.done(size);
    return;
  }
  let done = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      progress.update(done);
      cb(null, chunk);
    },
  });
  await pipeline(stream, count, target.handle.createWriteStream({ highWaterMark: IO_CHUNK })).catch(receiving);
  progress.done(done);
}
