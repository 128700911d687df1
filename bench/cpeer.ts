// The C side of the bench: writes a C `main()` that builds the same values
// (emitted from the JS ones, so they cannot drift) and times rpcgen's
// xdr_remote_* routines, then compiles it with the oracle's buildC and runs it.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type {
  RemoteConnectListAllDomainsRet,
  RemoteDomainEventGraphicsMsg,
  RemoteDomainGetSchedulerParametersFlagsRet,
} from "../src/gen/remote_protocol.js";
import type { TimingOptions } from "./timing.js";

/** One message for the C peer: its `.x` type and C statements filling `*m`. */
export interface CMessage {
  key: string;
  xName: string;
  /** Top-level C declarations the builder needs (tables of values). */
  decls: string;
  /** Body of `static void build(<xName> *m)`. */
  build: string;
}

export interface CResult {
  bytes: number;
  nsPerOp: number;
  rounds: number[];
  iterationsPerRound: number;
}

const utf8 = new TextEncoder();

/** A C string literal with the exact UTF-8 bytes of `s`. */
function cstr(s: string): string {
  let out = '"';
  for (const b of utf8.encode(s)) {
    if (b === 0x22 || b === 0x5c) out += "\\" + String.fromCharCode(b);
    // Octal escapes are never longer than 3 digits, unlike \x, and `?` is
    // escaped so no trigraph can form.
    else if (b < 0x20 || b >= 0x7f || b === 0x3f) out += "\\" + b.toString(8).padStart(3, "0");
    else out += String.fromCharCode(b);
  }
  return out + '"';
}

const cbytes = (u: Uint8Array): string => `{${Array.from(u, (b) => "0x" + b.toString(16).padStart(2, "0")).join(",")}}`;
const u64 = (v: bigint): string => `UINT64_C(0x${BigInt.asUintN(64, v).toString(16)})`;

export function cGraphicsMsg(v: RemoteDomainEventGraphicsMsg): CMessage {
  const ids = v.subject.map((s) => `{(char *)${cstr(s.type)}, (char *)${cstr(s.name)}}`).join(",\n  ");
  return {
    key: "graphics",
    xName: "remote_domain_event_graphics_msg",
    decls: `static remote_domain_event_graphics_identity graphics_subject[${v.subject.length}] = {\n  ${ids}\n};
static const unsigned char graphics_uuid[16] = ${cbytes(v.dom.uuid)};`,
    build: `  m->dom.name = (char *)${cstr(v.dom.name)};
  memcpy(m->dom.uuid, graphics_uuid, 16);
  m->dom.id = ${v.dom.id};
  m->phase = ${v.phase};
  m->local.family = ${v.local.family};
  m->local.node = (char *)${cstr(v.local.node)};
  m->local.service = (char *)${cstr(v.local.service)};
  m->remote.family = ${v.remote.family};
  m->remote.node = (char *)${cstr(v.remote.node)};
  m->remote.service = (char *)${cstr(v.remote.service)};
  m->authScheme = (char *)${cstr(v.authScheme)};
  m->subject.subject_len = ${v.subject.length};
  m->subject.subject_val = graphics_subject;`,
  };
}

export function cListAllDomainsRet(v: RemoteConnectListAllDomainsRet): CMessage {
  const n = v.domains.length;
  return {
    key: "domains",
    xName: "remote_connect_list_all_domains_ret",
    decls: `static const char *const dom_names[${n}] = {\n  ${v.domains.map((d) => cstr(d.name)).join(",\n  ")}\n};
static const unsigned char dom_uuids[${n}][16] = {\n  ${v.domains.map((d) => cbytes(d.uuid)).join(",\n  ")}\n};
static const int dom_ids[${n}] = {${v.domains.map((d) => d.id).join(",")}};
static remote_nonnull_domain dom_list[${n}];`,
    build: `  for (int i = 0; i < ${n}; i++) {
    dom_list[i].name = (char *)dom_names[i];
    memcpy(dom_list[i].uuid, dom_uuids[i], 16);
    dom_list[i].id = dom_ids[i];
  }
  m->domains.domains_len = ${n};
  m->domains.domains_val = dom_list;
  m->ret = ${v.ret};`,
  };
}

export function cSchedulerParamsRet(v: RemoteDomainGetSchedulerParametersFlagsRet): CMessage {
  const lines = v.params.map((p, i) => {
    const u = `params[${i}].value.remote_typed_param_value_u`;
    const pv = p.value;
    let set: string;
    switch (pv.type) {
      case 1:
        set = `${u}.i = ${pv.i === -2147483648 ? "INT32_MIN" : pv.i};`;
        break;
      case 2:
        set = `${u}.ui = ${pv.ui}u;`;
        break;
      case 3:
        set = `${u}.l = (int64_t)${u64(pv.l)};`;
        break;
      case 4:
        set = `${u}.ul = ${u64(pv.ul)};`;
        break;
      case 5: {
        // Through the bit pattern, so no decimal round trip can change it.
        const dv = new DataView(new ArrayBuffer(8));
        dv.setFloat64(0, pv.d);
        set = `${u}.d = bits_to_double(${u64(dv.getBigUint64(0))});`;
        break;
      }
      case 6:
        set = `${u}.b = ${pv.b};`;
        break;
      case 7:
        set = `${u}.s = (char *)${cstr(pv.s)};`;
        break;
    }
    return `  params[${i}].field = (char *)${cstr(p.field)};\n  params[${i}].value.type = ${pv.type};\n  ${set}`;
  });
  return {
    key: "params",
    xName: "remote_domain_get_scheduler_parameters_flags_ret",
    decls: `static remote_typed_param params[${v.params.length}];`,
    build: `${lines.join("\n")}
  m->params.params_len = ${v.params.length};
  m->params.params_val = params;`,
  };
}

/** The whole C program: argv `check` or `rounds warmup_ms round_ms`; JSON on stdout. */
export function cMainSource(messages: readonly CMessage[], header: string): string {
  const perMessage = messages
    .map(
      (m) => `
${m.decls}

static void build_${m.key}(${m.xName} *m) {
${m.build}
}

static u_int rt_${m.key}(void *in) {
  ${m.xName} out;
  XDR x;
  xdrmem_create(&x, enc_buf, sizeof enc_buf, XDR_ENCODE);
  if (!xdr_${m.xName}(&x, (${m.xName} *)in)) die("encode ${m.xName}");
  u_int len = xdr_getpos(&x);
  xdr_destroy(&x);
  memset(&out, 0, sizeof out);
  xdrmem_create(&x, enc_buf, len, XDR_DECODE);
  if (!xdr_${m.xName}(&x, &out)) die("decode ${m.xName}");
  xdr_destroy(&x);
  xdr_free((xdrproc_t)xdr_${m.xName}, (char *)&out);
  return len;
}

/* Decodes the encoding and encodes the result again: both must match. */
static u_int check_${m.key}(void *in) {
  ${m.xName} out;
  XDR x;
  u_int len = rt_${m.key}(in);
  memset(&out, 0, sizeof out);
  xdrmem_create(&x, enc_buf, len, XDR_DECODE);
  if (!xdr_${m.xName}(&x, &out)) die("decode ${m.xName}");
  if (xdr_getpos(&x) != len) die("decode ${m.xName} left bytes over");
  xdr_destroy(&x);
  xdrmem_create(&x, check_buf, sizeof check_buf, XDR_ENCODE);
  if (!xdr_${m.xName}(&x, &out)) die("re-encode ${m.xName}");
  if (xdr_getpos(&x) != len || memcmp(enc_buf, check_buf, len) != 0) die("${m.xName} does not survive decode + encode");
  xdr_destroy(&x);
  xdr_free((xdrproc_t)xdr_${m.xName}, (char *)&out);
  return len;
}
`,
    )
    .join("");

  const runs = messages
    .map(
      (m, i) => `  {
    static ${m.xName} v;
    memset(&v, 0, sizeof v);
    build_${m.key}(&v);
    u_int len = check_${m.key}(&v);
    if (rounds == 0) print_hex("${m.key}", len, ${i === messages.length - 1 ? 1 : 0});
    else bench("${m.key}", rt_${m.key}, &v, rounds, warmup_ms, round_ms, ${i === messages.length - 1 ? 1 : 0});
  }`,
    )
    .join("\n");

  return `/* Generated by bench/cpeer.ts: the C side of npm run bench:codec. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rpc/rpc.h>
#include "${header}"

/* 1 MiB covers every message here many times over. */
static char enc_buf[1 << 20];
static char check_buf[1 << 20];

static void die(const char *what) {
  fprintf(stderr, "bench C peer: %s failed\\n", what);
  exit(1);
}

static double bits_to_double(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Same scheme as bench/timing.ts: warm up, size rounds from the warm-up rate, median. */
static void bench(const char *key, u_int (*rt)(void *), void *in, int rounds, double warmup_ms, double round_ms, int last) {
  double t0 = now_ns(), elapsed;
  long n = 0;
  u_int len = 0;
  do {
    len = rt(in);
    n++;
    elapsed = now_ns() - t0;
  } while (elapsed < warmup_ms * 1e6);
  long iters = (long)(round_ms * 1e6 / (elapsed / (double)n) + 0.5);
  if (iters < 1) iters = 1;
  double *r = calloc((size_t)rounds, sizeof *r), *s = calloc((size_t)rounds, sizeof *s);
  if (!r || !s) die("calloc");
  for (int k = 0; k < rounds; k++) {
    double start = now_ns();
    for (long i = 0; i < iters; i++) rt(in);
    r[k] = (now_ns() - start) / (double)iters;
  }
  memcpy(s, r, (size_t)rounds * sizeof *s);
  qsort(s, (size_t)rounds, sizeof *s, cmp_double);
  double med = rounds % 2 ? s[rounds / 2] : (s[rounds / 2 - 1] + s[rounds / 2]) / 2;
  printf("  \\"%s\\": {\\"bytes\\": %u, \\"nsPerOp\\": %.3f, \\"iterationsPerRound\\": %ld, \\"rounds\\": [", key, len, med, iters);
  for (int k = 0; k < rounds; k++) printf("%s%.3f", k ? ", " : "", r[k]);
  printf("]}%s\\n", last ? "" : ",");
  free(r);
  free(s);
}

/* The encoding left in enc_buf, for the byte-for-byte comparison with JS. */
static void print_hex(const char *key, u_int len, int last) {
  printf("  \\"%s\\": {\\"bytes\\": %u, \\"hex\\": \\"", key, len);
  for (u_int i = 0; i < len; i++) printf("%02x", (unsigned char)enc_buf[i]);
  printf("\\"}%s\\n", last ? "" : ",");
}
${perMessage}
/* "check": print each encoding; "rounds warmup_ms round_ms": time. */
int main(int argc, char **argv) {
  int rounds = 0;
  double warmup_ms = 0, round_ms = 0;
  if (argc == 4) {
    rounds = atoi(argv[1]);
    warmup_ms = atof(argv[2]);
    round_ms = atof(argv[3]);
    if (rounds < 1) rounds = 1;
  } else if (!(argc == 2 && strcmp(argv[1], "check") == 0)) {
    fprintf(stderr, "usage: %s check | %s rounds warmup_ms round_ms\\n", argv[0], argv[0]);
    return 2;
  }
  printf("{\\n");
${runs}
  printf("}\\n");
  return 0;
}
`;
}

/** What test/oracle/build.ts exports (kept in step with it by hand). */
export type BuildC = (opts: {
  tree: string;
  protocols?: string[];
  mainSource: string;
  cflags?: string[];
}) => Promise<{ binary: string; dir: string; cleanup(): Promise<void> }>;

export async function loadBuildC(): Promise<BuildC | null> {
  // Imported by URL at run time: the oracle is someone else's module, and a
  // static import would make this bench's build depend on it existing.
  const url = new URL("../test/oracle/build.js", import.meta.url);
  if (!existsSync(fileURLToPath(url))) return null;
  const mod = (await import(url.href)) as { buildC?: unknown };
  if (typeof mod.buildC !== "function") throw new Error(`${fileURLToPath(url)} does not export buildC`);
  return mod.buildC as BuildC;
}

export function cOptionsArgs(o: TimingOptions): string[] {
  return [String(o.rounds), String(o.warmupMs), String(o.roundMs)];
}
