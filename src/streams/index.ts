/**
 * The stream classes calls return, the hole marker of sparse transfers, and
 * helpers to read and write sparse files.
 *
 * @module libvirt-remote/streams
 */
export { Hole, isHole, type StreamChunk } from "./hole.js";
export { ReceiveStream, type ReceiveOptions, type TypedReadable } from "./readable.js";
export { DeviceStream, type DeviceOptions } from "./device.js";
export type { UploadSource, SendOptions } from "./send.js";
export { readSparseFile, writeSparseFile, type SparseReadOptions, type SparseWriteResult } from "./sparse.js";
export { streamKind, isSparse, type StreamKind, type DownloadOptions, type CaptureOptions, type DeviceCallOptions, type UploadOptions } from "./procedures.js";
export type { HoleMode } from "./receiver.js";
