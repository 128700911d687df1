import type { CallOptions } from "../rpc/session.js";
import type { Codec, ProcedureInfo, ProgramInfo } from "../xdr/index.js";

type ArgsOf<P extends ProcedureInfo> = P["args"] extends Codec<infer A> ? A : never;
type RetOf<P extends ProcedureInfo> = P["ret"] extends Codec<infer R> ? R : void;

/** A procedure as a method: `(args, options?)`, or `(options?)` when it takes nothing. */
export type ProcedureMethod<P extends ProcedureInfo> = P["args"] extends Codec<unknown>
  ? (args: ArgsOf<P>, options?: CallOptions) => Promise<RetOf<P>>
  : (options?: CallOptions) => Promise<RetOf<P>>;

/** Every callable procedure of a program (events are not callable). */
export type ProgramApi<G extends ProgramInfo> = {
  readonly [K in keyof G["procedures"] as G["procedures"][K]["message"] extends null ? K : never]: ProcedureMethod<
    G["procedures"][K]
  >;
};

/** What the generated methods call through. */
export interface ProcedureCaller {
  call(program: ProgramInfo, procedure: ProcedureInfo, args: unknown, options?: CallOptions): Promise<unknown>;
}

/** The callable procedures of a program, by method name. */
export function callable(program: ProgramInfo): [string, ProcedureInfo][] {
  return Object.entries(program.procedures).filter(([, p]) => p.message === null);
}

/** Builds the method object of a program over a caller. */
export function programApi<G extends ProgramInfo>(program: G, caller: ProcedureCaller): ProgramApi<G> {
  const api: Record<string, unknown> = {};
  for (const [method, procedure] of callable(program)) {
    api[method] =
      procedure.args === null
        ? (options?: CallOptions) => caller.call(program, procedure, undefined, options)
        : (args: unknown, options?: CallOptions) => caller.call(program, procedure, args, options);
  }
  return api as ProgramApi<G>;
}
