// virsh vol-upload and vol-download (tools/virsh-volume.c): a file into a
// storage volume and back, --sparse keeping holes as holes, a progress bar
// on a terminal; virsh's options, order and messages.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Client } from "../client/client.js";
import { VirStorageVolDownloadFlags, VirStorageVolUploadFlags } from "../gen/libvirt_storage.js";
import type { RemoteNonnullStorageVol } from "../gen/remote_protocol.js";
import { readSparseFile, writeSparseFile } from "../streams/sparse.js";
import type { OptDef, Opts } from "./command.js";
import { Progress } from "./progress.js";
import { TargetFile } from "./target-file.js";
import { lookupPool } from "./virsh/util.js";
import { CommandFailed, ullOpt, type VirshCommand } from "./vsh.js";

/** File reads and writes in 4 MiB steps: fewer thread-pool round trips than fs streams' 64 KiB / 16 KiB defaults. */
const IO_CHUNK = 4 * 1024 * 1024;

const OPTIONS: readonly OptDef[] = [
  { name: "vol", type: "data", required: true },
  { name: "file", type: "data", required: true },
  { name: "pool", type: "string" },
  { name: "offset", type: "int" },
  { name: "length", type: "int" },
  { name: "sparse", type: "bool" },
];

interface Transfer {
  vol: string;
  file: string;
  offset: bigint;
  length: bigint;
  sparse: boolean;
}

/** The numbers first, as virsh reads them before looking anything up; --length wraps a negative value as virsh does. */
function transfer(opts: Opts): Transfer {
  const offset = ullOpt(opts, "offset") ?? 0n;
  const length = ullOpt(opts, "length", true) ?? 0n;
  return { vol: opts.string("vol")!, file: opts.string("file")!, offset, length, sparse: opts.bool("sparse") };
}

/**
 * virshCommandOptVolBy: by name in --pool, then by key, then by path; the
 * last lookup's error stays, after virsh's line.
 */
async function lookupVolume(client: Client, pool: string | undefined, vol: string): Promise<RemoteNonnullStorageVol> {
  let last: unknown;
  if (pool !== undefined) {
    const p = await lookupPool(client, pool);
    try {
      return (await client.storageVolLookupByName({ pool: p, name: vol })).vol;
    } catch (e) {
      last = e;
    }
  }
  for (const find of [() => client.storageVolLookupByKey({ key: vol }), () => client.storageVolLookupByPath({ path: vol })]) {
    try {
      return (await find()).vol;
    } catch (e) {
      last = e;
    }
  }
  throw new CommandFailed([pool === undefined ? `failed to get vol '${vol}', specifying --pool might help` : `failed to get vol '${vol}'`], { cause: last });
}

const volUpload: VirshCommand = {
  names: ["vol-upload"],
  options: OPTIONS,
  async run(ctx, opts) {
    const a = transfer(opts);
    const client = await ctx.client();
    const vol = await lookupVolume(client, opts.string("pool"), a.vol);
    // virsh's one line, without the errno: its open() failure sets no libvirt error to add.
    const size = await stat(a.file).then(
      (st) => st.size,
      () => {
        throw new CommandFailed([`cannot read ${a.file}`]);
      },
    );
    const total = a.length > 0n ? Math.min(Number(a.length), size) : size;
    const progress = new Progress(total);
    const flags = a.sparse ? VirStorageVolUploadFlags.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0;
    const source = a.sparse
      ? readSparseFile(a.file, a.length > 0n ? { length: Number(a.length) } : {})
      : createReadStream(a.file, { highWaterMark: IO_CHUNK, ...(a.length > 0n ? { end: Number(a.length) - 1 } : {}) });
    // Before the daemon accepts the call, virsh says "cannot upload"; after, "cannot send data".
    let accepted = false;
    await client
      .storageVolUpload({ vol, offset: a.offset, length: a.length, flags }, source, { onReply: () => (accepted = true), onProgress: (n) => progress.update(n) })
      .catch((e: unknown) => {
        progress.abandon();
        throw new CommandFailed([accepted ? `cannot send data to volume ${a.vol}` : `cannot upload to volume ${a.vol}`], { cause: e });
      });
    progress.done(total);
  },
};

const volDownload: VirshCommand = {
  names: ["vol-download"],
  options: OPTIONS,
  async run(ctx, opts) {
    const a = transfer(opts);
    const client = await ctx.client();
    const vol = await lookupVolume(client, opts.string("pool"), a.vol);
    const progress = new Progress(await downloadSize(client, vol, a));
    // virsh's order: the file is created (or truncated) before the download is asked for.
    const target = await TargetFile.open(a.file).catch((e: unknown) => {
      throw new CommandFailed([`cannot create ${a.file}`], { cause: e });
    });
    try {
      await download(client, vol, a, target, progress);
    } catch (e) {
      progress.abandon();
      await target.discard();
      throw e;
    }
  },
};

export const commands: readonly VirshCommand[] = [volUpload, volDownload];

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

async function download(client: Client, vol: RemoteNonnullStorageVol, a: Transfer, target: TargetFile, progress: Progress): Promise<void> {
  const args = { vol, offset: a.offset, length: a.length, flags: a.sparse ? VirStorageVolDownloadFlags.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0 };
  const stream = await client.storageVolDownload(args, a.sparse ? { holes: "records" } : {}).catch((e: unknown) => {
    throw new CommandFailed([`cannot download from volume ${a.vol}`], { cause: e });
  });
  // Until the writing below takes the stream's error, a cut connection must not be an unhandled 'error'.
  stream.on("error", () => {});
  const receiving = (e: unknown): never => {
    throw new CommandFailed([`cannot receive data from volume ${a.vol}`], { cause: e });
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
