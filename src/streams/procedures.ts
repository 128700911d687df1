import { streamProcedures } from "../gen/streams.js";
import type { CallOptions, RpcSession, StreamHandlers } from "../rpc/session.js";
import type { ProcedureInfo, ProgramInfo } from "../xdr/index.js";
import { DeviceStream, type DeviceOptions } from "./device.js";
import { ReceiveStream, type ReceiveOptions } from "./readable.js";
import { streamKind } from "./kind.js";
import { releaseSource, sendAll, type SendOptions, type UploadSource } from "./send.js";

export { streamKind, type StreamKind } from "./kind.js";

export type DownloadOptions = CallOptions & ReceiveOptions;
export type CaptureOptions = CallOptions & Omit<ReceiveOptions, "holes">;
export type DeviceCallOptions = CallOptions & DeviceOptions;
export type UploadOptions = CallOptions & SendOptions;
export type StreamCallOptions = CallOptions & ReceiveOptions & DeviceOptions & SendOptions;

/** Each `@sparseflag` constant's value, from the generated stream table. */
const sparseFlags = new Map(Object.values(streamProcedures).flatMap((s) => (s.sparseFlag === undefined ? [] : [[s.sparseFlag.name, s.sparseFlag.value] as const])));

/** Whether the call asks for a sparse stream: its `flags` argument has the procedure's `@sparseflag`, as libvirt's remote driver checks. */
export function isSparse(procedure: ProcedureInfo, args: unknown): boolean {
  const name = procedure.annotations.sparseflag;
  if (name === undefined) return false;
  const flag = sparseFlags.get(name);
  if (flag === undefined) throw new Error(`unknown sparse flag ${name}`);
  const flags = (args as { flags?: unknown } | null)?.flags;
  return typeof flags === "number" && (flags & flag) !== 0;
}

function callOptions(options: CallOptions): CallOptions {
  const { signal, timeout, onReply } = options;
  return { ...(signal === undefined ? {} : { signal }), ...(timeout === undefined ? {} : { timeout }), ...(onReply === undefined ? {} : { onReply }) };
}

/**
 * Runs a stream procedure: opens the stream with its call, and gives back
 * what the generated method promises for its kind (see client/api.ts):
 * a ReceiveStream, `{ ...reply, stream }`, a DeviceStream, or, for an
 * upload, the reply once the daemon has confirmed every byte of `input`.
 */
export async function callStream(
  session: RpcSession,
  program: ProgramInfo,
  procedure: ProcedureInfo,
  args: unknown,
  input: UploadSource | undefined,
  options: StreamCallOptions = {},
): Promise<unknown> {
  const kind = streamKind(procedure);
  const sparse = isSparse(procedure, args);
  const what = procedure.name;
  if (kind === "upload") {
    if (input === undefined || input === null || (typeof input !== "object" && typeof input !== "function")) {
      throw new TypeError(`${what} sends data: give it a Readable or an (async) iterable of bytes`);
    }
    let fail!: (err: Error) => void;
    const failure = new Promise<never>((_, reject) => (fail = reject));
    failure.catch(() => {});
    const handlers: StreamHandlers = {
      // The daemon sends nothing on an upload stream but its end and errors.
      data: () => true,
      hole: () => true,
      end: () => {},
      error: (err) => fail(err),
    };
    const { stream, reply } = session.openStream(program, procedure, args, { ...callOptions(options), handlers, sparse });
    let ret: unknown;
    try {
      ret = await reply;
    } catch (e) {
      // Never read: a source that holds something (a file stream's descriptor) is told to let it go, as sendAll does.
      releaseSource(input);
      throw e;
    }
    const send: SendOptions = {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    };
    await sendAll(stream, sparse, input, failure, what, send);
    return ret;
  }
  const target =
    kind === "device"
      ? new DeviceStream(what, pick(options, ["highWaterMark", "signal"]))
      : new ReceiveStream(what, pick(options, kind === "download" ? ["holes", "highWaterMark", "signal"] : ["highWaterMark", "signal"]));
  const { stream, reply } = session.openStream(program, procedure, args, { ...callOptions(options), handlers: target.receiver.handlers, sparse });
  target.attach(stream);
  // Until the caller has the stream, its failure (the daemon's error, the connection's end) is this call's.
  let early: Error | null = null;
  const onEarly = (e: Error): void => {
    early ??= e;
  };
  target.on("error", onEarly);
  let ret: unknown;
  try {
    ret = await reply;
  } catch (e) {
    // Never handed out: its own error (the signal's) has no listener to go to.
    target.on("error", () => {});
    target.destroy();
    throw e;
  }
  target.off("error", onEarly);
  const failed = early ?? target.errored;
  if (failed !== null) {
    target.on("error", () => {});
    throw failed;
  }
  return kind === "capture" ? { ...(ret as object), stream: target } : target;
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  const out: Partial<T> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out as Pick<T, K>;
}
