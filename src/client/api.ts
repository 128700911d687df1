import type { CallOptions } from "../rpc/session.js";
import type { DownloadChunk } from "../streams/hole.js";
import type { CaptureOptions, DeviceCallOptions, DownloadOptions, UploadOptions } from "../streams/procedures.js";
import { streamKind } from "../streams/kind.js";
import type { DeviceStream } from "../streams/device.js";
import type { ReceiveStream } from "../streams/readable.js";
import type { UploadSource } from "../streams/send.js";
import type { Codec, ProcedureInfo, ProgramInfo } from "../xdr/index.js";
export type { AdminApi, LxcApi, QemuApi, RemoteApi } from "../gen/api/index.js";

type ArgsOf<P extends ProcedureInfo> = P["args"] extends Codec<infer A> ? A : never;
type RetOf<P extends ProcedureInfo> = P["ret"] extends Codec<infer R> ? R : void;
type Ann<P extends ProcedureInfo> = P["annotations"];

/** How a stream procedure is used, from its annotations, as streams/procedures.ts decides at run time. */
type KindOf<P extends ProcedureInfo> =
  Ann<P> extends { readonly writestream: number }
    ? "upload"
    : Ann<P> extends { readonly readstream: number }
      ? Ann<P> extends { readonly sparseflag: string }
        ? "download"
        : P["ret"] extends Codec<unknown>
          ? "capture"
          : "device"
      : "call";

// Defined with the streams, where the generated interfaces name it too.
export type { DownloadChunk } from "../streams/hole.js";

/** An ordinary call: `(args, options?)`, or `(options?)` when it takes nothing. */
type CallMethod<P extends ProcedureInfo> = P["args"] extends Codec<unknown>
  ? (args: ArgsOf<P>, options?: CallOptions) => Promise<RetOf<P>>
  : (options?: CallOptions) => Promise<RetOf<P>>;

/**
 * A procedure as a method. Stream procedures take or return Node streams:
 *   - upload (`storageVolUpload`): `(args, source, options?)`, resolving to
 *     the reply once the daemon has confirmed the last byte;
 *   - download (`storageVolDownload`): resolves to a Readable of Buffers
 *     (and Hole records with `holes: "records"` on a sparse download);
 *   - capture (`domainScreenshot`): resolves to the reply and `stream`;
 *   - device (`domainOpenConsole`, `domainOpenChannel`): resolves to a Duplex.
 */
export type ProcedureMethod<P extends ProcedureInfo> =
  KindOf<P> extends "upload"
    ? (args: ArgsOf<P>, source: UploadSource, options?: UploadOptions) => Promise<RetOf<P>>
    : KindOf<P> extends "download"
      ? <O extends DownloadOptions = Record<never, never>>(args: ArgsOf<P>, options?: O) => Promise<ReceiveStream<DownloadChunk<O>>>
      : KindOf<P> extends "capture"
        ? (args: ArgsOf<P>, options?: CaptureOptions) => Promise<RetOf<P> & { stream: ReceiveStream<Buffer> }>
        : KindOf<P> extends "device"
          ? (args: ArgsOf<P>, options?: DeviceCallOptions) => Promise<DeviceStream>
          : CallMethod<P>;

/**
 * Every callable procedure of a program (events are not callable), computed
 * from its procedure table. The client's own programs are typed by the
 * generated interfaces instead (RemoteApi, QemuApi, LxcApi, AdminApi in
 * src/gen/api/), which give these same signatures with a doc comment per
 * method; test/client/api-types.test.ts keeps the two equal.
 */
export type ProgramApi<G extends ProgramInfo> = {
  readonly [K in keyof G["procedures"] as G["procedures"][K]["message"] extends null ? K : never]: ProcedureMethod<
    G["procedures"][K]
  >;
};

/** What the generated methods call through. */
export interface ProcedureCaller {
  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown>;
  /** A stream procedure; `input` is an upload's source. */
  callStream(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, input: UploadSource | undefined, options?: CallOptions): Promise<unknown>;
}

/** The callable procedures of a program, by method name. */
export function callable(program: ProgramInfo): [string, ProcedureInfo][] {
  return Object.entries(program.procedures).filter(([, p]) => p.message === null);
}

/** The function a method name stands for, given how its procedure is used. */
export function methodFor(program: ProgramInfo, procedure: ProcedureInfo, caller: (self: unknown) => ProcedureCaller): (...a: unknown[]) => Promise<unknown> {
  const kind = streamKind(procedure);
  if (kind === "upload") {
    return function (this: unknown, args: unknown, source: unknown, options?: CallOptions) {
      return caller(this).callStream(program, procedure, args, source as UploadSource, options);
    } as (...a: unknown[]) => Promise<unknown>;
  }
  if (kind !== null) {
    return function (this: unknown, args: unknown, options?: CallOptions) {
      return caller(this).callStream(program, procedure, args, undefined, options);
    } as (...a: unknown[]) => Promise<unknown>;
  }
  return (
    procedure.args === null
      ? function (this: unknown, options?: CallOptions) {
          return caller(this).call(program, procedure, undefined, options);
        }
      : function (this: unknown, args: unknown, options?: CallOptions) {
          return caller(this).call(program, procedure, args, options);
        }
  ) as (...a: unknown[]) => Promise<unknown>;
}

/** Builds the method object of a program over a caller. */
export function programApi<G extends ProgramInfo>(program: G, caller: ProcedureCaller): ProgramApi<G> {
  const api: Record<string, unknown> = {};
  for (const [method, procedure] of callable(program)) api[method] = methodFor(program, procedure, () => caller);
  return api as ProgramApi<G>;
}
