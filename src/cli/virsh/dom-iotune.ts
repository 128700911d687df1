// virsh-domain.c: a disk's or an interface's limits, shown or changed as
// typed parameters: blkdeviotune, domiftune; and domblkthreshold.

import type { Client } from "../../client/client.js";
import type { RemoteNonnullDomain, RemoteTypedParam } from "../../gen/remote_protocol.js";
import { VirTypedParameterType } from "../../gen/libvirt_common.js";
import type { OptDef, Opts } from "../command.js";
import { CommandFailed, ullOpt, type VirshCommand } from "../vsh.js";
import { parseRate } from "./dom-attach.js";
import { CONFIG_LIVE_CURRENT, DOMAIN, affectFlags, exclusiveFlags, nonEmpty, scaledOpt } from "./dom-opts.js";
import { typedParamLine } from "./dom-params.js";
import { lookupDomain, step } from "./util.js";
import { typedParamStringFlag } from "../../api/features.js";
import { VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_AFFECT_LIVE } from "../../gen/friendly/constants.js";
import { THROTTLE_GROUP_PARAMS } from "../../gen/friendly/params.js";

const ULLONG = VirTypedParameterType.VIR_TYPED_PARAM_ULLONG;
const UINT = VirTypedParameterType.VIR_TYPED_PARAM_UINT;
const ULLONG_MAX = 0xffffffffffffffffn;
const UINT_MAX = 0xffffffffn;

/** blkdeviotune's byte limits (scaled integers), then its counts and durations, in virsh's order; each field is the option's name with underscores. */
const SCALED = ["total-bytes-sec", "read-bytes-sec", "write-bytes-sec", "total-bytes-sec-max", "read-bytes-sec-max", "write-bytes-sec-max"];
const PLAIN = [
  "total-iops-sec",
  "read-iops-sec",
  "write-iops-sec",
  "total-iops-sec-max",
  "read-iops-sec-max",
  "write-iops-sec-max",
  "size-iops-sec",
  "total-bytes-sec-max-length",
  "read-bytes-sec-max-length",
  "write-bytes-sec-max-length",
  "total-iops-sec-max-length",
  "read-iops-sec-max-length",
  "write-iops-sec-max-length",
];

/** The options in virsh's declared order: each with its underscore alias first. */
const IOTUNE_ORDER = [
  "total-bytes-sec", "read-bytes-sec", "write-bytes-sec", "total-iops-sec", "read-iops-sec", "write-iops-sec",
  "total-bytes-sec-max", "read-bytes-sec-max", "write-bytes-sec-max", "total-iops-sec-max", "read-iops-sec-max", "write-iops-sec-max",
  "size-iops-sec", "group-name",
  "total-bytes-sec-max-length", "read-bytes-sec-max-length", "write-bytes-sec-max-length", "total-iops-sec-max-length", "read-iops-sec-max-length", "write-iops-sec-max-length",
];
const IOTUNE_OPTIONS: OptDef[] = IOTUNE_ORDER.flatMap((name): OptDef[] => [
  { name: name.replace(/-/g, "_"), type: "alias", alias: name },
  { name, type: name === "group-name" ? "string" : "int" },
]);

/** A field of virDomainSetBlockIoTune, typed as the friendly layer's table types it. */
function iotuneParam(option: string, value: bigint | string): RemoteTypedParam {
  const field = option.replace(/-/g, "_");
  const spec = THROTTLE_GROUP_PARAMS[field];
  if (spec?.type === "string") return { field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_STRING, s: String(value) } };
  return { field, value: { type: ULLONG, ul: BigInt(value) } };
}

/** blkdeviotune's options as parameters; virsh's words where one cannot be read. */
function iotuneParams(opts: Opts): RemoteTypedParam[] {
  const params: RemoteTypedParam[] = [];
  const parse = (read: () => bigint | undefined): bigint | undefined => {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof CommandFailed)) throw e;
      throw new CommandFailed([...e.lines, "Unable to parse integer parameter"], { cause: e.cause });
    }
  };
  for (const o of SCALED) {
    const v = parse(() => scaledOpt(opts, o, 1n, ULLONG_MAX));
    if (v !== undefined) params.push(iotuneParam(o, v));
  }
  for (const o of PLAIN) {
    const v = parse(() => ullOpt(opts, o));
    if (v !== undefined) params.push(iotuneParam(o, v));
  }
  if (opts.string("group-name") === "") {
    throw new CommandFailed(["Failed to get option 'group-name': Option argument is empty", "Unable to parse group-name parameter"]);
  }
  const group = opts.string("group-name");
  if (group !== undefined) params.push(iotuneParam("group-name", group));
  return params;
}

/** domiftune's --inbound and --outbound as parameters (unsigned ints, as the API takes them). */
function bandwidthParams(inboundText: string | undefined, outboundText: string | undefined): RemoteTypedParam[] {
  const params: RemoteTypedParam[] = [];
  // virTypedParamsAddUInt takes an unsigned int: a wider floor is cut, as C converts it.
  const add = (field: string, v: bigint): void => void params.push({ field, value: { type: UINT, ui: Number(v & UINT_MAX) } });
  if (inboundText !== undefined) {
    const r = parseRate(inboundText);
    if (r.average > UINT_MAX || r.peak > UINT_MAX || r.burst > UINT_MAX) throw new CommandFailed([`inbound rate larger than maximum ${UINT_MAX}`]);
    if (r.average === 0n && (r.burst !== 0n || r.peak !== 0n) && r.floor === 0n) throw new CommandFailed(["either inbound average or floor is mandatory"]);
    add("inbound.average", r.average);
    if (r.peak !== 0n) add("inbound.peak", r.peak);
    if (r.burst !== 0n) add("inbound.burst", r.burst);
    if (r.floor !== 0n) add("inbound.floor", r.floor);
  }
  if (outboundText !== undefined) {
    const r = parseRate(outboundText);
    if (r.average > UINT_MAX || r.peak > UINT_MAX || r.burst > UINT_MAX) throw new CommandFailed([`outbound rate larger than maximum ${UINT_MAX}`]);
    if (r.average === 0n && (r.burst !== 0n || r.peak !== 0n)) throw new CommandFailed(["outbound average is mandatory"]);
    if (r.floor !== 0n) throw new CommandFailed(["outbound floor is unsupported yet"]);
    add("outbound.average", r.average);
    if (r.peak !== 0n) add("outbound.peak", r.peak);
    if (r.burst !== 0n) add("outbound.burst", r.burst);
  }
  return params;
}

/** The tuning commands' read: how many, then all of them, each failure with its own words. */
async function showParams(
  print: (text: string) => void,
  get: (nparams: number) => Promise<{ params: RemoteTypedParam[]; nparams: number }>,
  countFailed: string,
  readFailed: string,
): Promise<void> {
  const { nparams } = await step(countFailed, () => get(0));
  if (nparams === 0) return;
  const got = await step(readFailed, () => get(nparams));
  for (const p of got.params) print(typedParamLine(p));
}

async function domain(c: Client, opts: Opts): Promise<RemoteNonnullDomain> {
  return lookupDomain(c, opts.string("domain")!);
}

const LIVE_CONFIG: readonly [number, string, number, string] = [VIR_DOMAIN_AFFECT_LIVE, "VIR_DOMAIN_AFFECT_LIVE", VIR_DOMAIN_AFFECT_CONFIG, "VIR_DOMAIN_AFFECT_CONFIG"];

export const commands: VirshCommand[] = [
  {
    names: ["blkdeviotune"],
    options: [DOMAIN, { name: "device", type: "data", required: true }, ...IOTUNE_OPTIONS, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await domain(c, opts);
      const disk = nonEmpty(opts, "device")!;
      const params = iotuneParams(opts);
      if (params.length > 0) {
        await step("Unable to change block I/O throttle", () => c.domainSetBlockIoTune({ dom, disk, params, flags }));
        return;
      }
      const getFlags = flags | (await typedParamStringFlag(c));
      await showParams(
        (t) => ctx.print(t),
        (nparams) => {
          exclusiveFlags(getFlags, [LIVE_CONFIG]);
          return c.domainGetBlockIoTune({ dom, disk: nparams === 0 ? null : disk, nparams, flags: getFlags });
        },
        "Unable to get number of block I/O throttle parameters",
        "Unable to get block I/O throttle parameters",
      );
    },
  },
  {
    names: ["domiftune"],
    options: [DOMAIN, { name: "interface", type: "data", required: true }, { name: "inbound", type: "string" }, { name: "outbound", type: "string" }, ...CONFIG_LIVE_CURRENT],
    async run(ctx, opts) {
      const flags = affectFlags(opts);
      const c = await ctx.client();
      const dom = await domain(c, opts);
      const device = nonEmpty(opts, "interface")!;
      const params = bandwidthParams(nonEmpty(opts, "inbound"), nonEmpty(opts, "outbound"));
      if (params.length > 0) {
        await step("Unable to set interface parameters", () => c.domainSetInterfaceParameters({ dom, device, params, flags }));
        return;
      }
      const getFlags = flags | (await typedParamStringFlag(c));
      await showParams(
        (t) => ctx.print(t),
        (nparams) => c.domainGetInterfaceParameters({ dom, device, nparams, flags: getFlags }),
        "Unable to get number of interface parameters",
        "Unable to get interface parameters",
      );
    },
  },
  {
    names: ["domblkthreshold"],
    options: [DOMAIN, { name: "dev", type: "data", required: true }, { name: "threshold", type: "int", required: true }],
    async run(ctx, opts) {
      const dev = nonEmpty(opts, "dev")!;
      const threshold = scaledOpt(opts, "threshold", 1n, ULLONG_MAX)!;
      const c = await ctx.client();
      const dom = await domain(c, opts);
      await c.domainSetBlockThreshold({ dom, dev, threshold, flags: 0 });
    },
  },
];
