/**
 * What the fuzzer aims at: every generated codec of the client-facing
 * protocols, the programs whose frames the client reads, and the codegen
 * model the value generator needs (from the pinned libvirt sources).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readSources } from "../codegen/sources.js";
import { compile } from "../codegen/generate.js";
import type { Model, Sym } from "../codegen/model.js";
import { externValues } from "../protocol/externs.js";
import { repoRoot } from "../protocol/fetch.js";
import * as admin from "../src/gen/admin_protocol.js";
import * as lxc from "../src/gen/lxc_protocol.js";
import * as qemu from "../src/gen/qemu_protocol.js";
import * as remote from "../src/gen/remote_protocol.js";
import * as keepalive from "../src/gen/virkeepaliveprotocol.js";
import * as virnet from "../src/gen/virnetprotocol.js";
import type { Codec, ProcedureInfo, ProgramInfo } from "../src/xdr/index.js";

export const MODULES = ["virnetprotocol", "remote_protocol", "qemu_protocol", "lxc_protocol", "admin_protocol"] as const;

/** Every codec by its `.x` name; the names are unique across these modules. */
export const codecs: Readonly<Record<string, Codec<unknown>>> = {
  ...virnet.codecs,
  ...remote.codecs,
  ...qemu.codecs,
  ...lxc.codecs,
  ...admin.codecs,
} as Record<string, Codec<unknown>>;

export const programs: readonly ProgramInfo[] = [
  remote.remoteProgram,
  qemu.qemuProgram,
  lxc.lxcProgram,
  admin.adminProgram,
  keepalive.keepaliveProgram,
] as readonly ProgramInfo[];

export const errorCodec = virnet.codecs.virNetMessageError as Codec<unknown>;
export const holeCodec = virnet.codecs.virNetStreamHole as Codec<unknown>;

export interface FuzzType extends Sym {
  codec: Codec<unknown>;
}

/** The pinned libvirt source tree the model is compiled from. */
export function pinnedTree(): string {
  const root = repoRoot();
  const { pinned } = JSON.parse(readFileSync(join(root, "protocol/libvirt.json"), "utf8")) as { pinned: string };
  return join(root, "protocol/upstream", pinned);
}

export function haveTree(): boolean {
  return existsSync(pinnedTree());
}

export function loadModel(): Model {
  const tree = pinnedTree();
  if (!existsSync(tree)) throw new Error(`${tree} is missing: run \`npm run protocol:fetch\` first`);
  return compile(readSources(tree), externValues());
}

/** Every enum and type of the fuzzed modules, each with its codec. */
export function fuzzTypes(model: Model): FuzzType[] {
  const out: FuzzType[] = [];
  for (const m of model.modules) {
    if (!(MODULES as readonly string[]).includes(m.name)) continue;
    for (const d of [...m.enums, ...m.types]) {
      const codec = codecs[d.name];
      if (codec === undefined) throw new Error(`no generated codec for ${m.name}.${d.name}`);
      out.push({ module: m.name, name: d.name, codec });
    }
  }
  return out;
}

/** Procedures of the known programs by number, as the session routes them. */
const byProgram = new Map<number, { program: ProgramInfo; byNumber: Map<number, ProcedureInfo> }>(
  programs.map((p) => [p.program, { program: p, byNumber: new Map(Object.values(p.procedures).map((x) => [x.number, x])) }]),
);

export function procedureOf(prog: number, proc: number): { program: ProgramInfo; procedure: ProcedureInfo } | undefined {
  const p = byProgram.get(prog);
  const procedure = p?.byNumber.get(proc);
  return p === undefined || procedure === undefined ? undefined : { program: p.program, procedure };
}

const TYPE = virnet.VirNetMessageType;
const STATUS = virnet.VirNetMessageStatus;

/**
 * The codec a body is decoded with, given its header, as a peer would pick
 * it: null for an empty body, undefined when nothing would decode it
 * (unknown program or procedure, stream data, CONTINUE).
 */
export function bodyCodec(h: virnet.VirNetMessageHeader): Codec<unknown> | null | undefined {
  if (h.type === TYPE.VIR_NET_STREAM) return undefined;
  if (h.type === TYPE.VIR_NET_STREAM_HOLE) return holeCodec;
  const known = procedureOf(h.prog, h.proc);
  if (known === undefined) return undefined;
  const p = known.procedure;
  switch (h.type) {
    case TYPE.VIR_NET_CALL:
    case TYPE.VIR_NET_CALL_WITH_FDS:
      return p.args;
    case TYPE.VIR_NET_MESSAGE:
      return p.message;
    case TYPE.VIR_NET_REPLY:
    case TYPE.VIR_NET_REPLY_WITH_FDS:
      if (h.status === STATUS.VIR_NET_OK) return p.ret;
      if (h.status === STATUS.VIR_NET_ERROR) return errorCodec;
      return undefined;
    default:
      // CONTINUE, or a type newer than this .x (enums decode open).
      return undefined;
  }
}

/** Which module defines a type, for the value generator. */
export function symOf(types: readonly FuzzType[]): (name: string) => Sym {
  const map = new Map(types.map((t) => [t.name, { module: t.module, name: t.name }]));
  return (name) => {
    const s = map.get(name);
    if (s === undefined) throw new Error(`unknown type ${name}`);
    return s;
  };
}
