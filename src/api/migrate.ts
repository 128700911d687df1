/**
 * Live migration as libvirt's client library runs it (src/libvirt-domain.c),
 * over two connections or one:
 *
 * - `migrateManaged` is virDomainMigrate3: the client drives the five
 *   steps itself (Begin3Params on the source, Prepare3Params on the
 *   destination, Perform3Params on the source, Finish3Params on the
 *   destination, Confirm3Params on the source), handing each step's cookie
 *   to the next, and on a failure runs the steps that undo it
 *   (virDomainMigrateVersion3Full).
 * - `migrateToUri` is virDomainMigrateToURI3: peer-to-peer (the source
 *   daemon opens the destination itself) or direct, one Perform call.
 *
 * The checks libvirt's client makes before and between the calls are made
 * here too, in its words, as MigrateError. A friendlier `dom.migrate()` can
 * build on these two; progress, timeouts and Ctrl-C are the caller's (the
 * job runs on the source: poll domainGetJobInfo, call domainAbortJob).
 */
import type { Client } from "../client/client.js";
import { LibvirtRemoteError } from "../errors.js";
import type { MigrateParams } from "../gen/friendly/params.js";
import { MIGRATE_PARAMS } from "../gen/friendly/params.js";
import { VirTypedParameterType } from "../gen/libvirt_common.js";
import { VirDrvFeature } from "../gen/libvirt_internal.js";
import type { RemoteNonnullDomain, RemoteTypedParam } from "../gen/remote_protocol.js";
import { LibvirtError } from "../rpc/errors.js";
import { toTypedParams } from "./typed.js";
import {
  VIR_DOMAIN_PAUSED,
  VIR_MIGRATE_ABORT_ON_ERROR,
  VIR_MIGRATE_AUTO_CONVERGE,
  VIR_MIGRATE_CHANGE_PROTECTION,
  VIR_MIGRATE_NON_SHARED_DISK,
  VIR_MIGRATE_NON_SHARED_INC,
  VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES,
  VIR_MIGRATE_OFFLINE,
  VIR_MIGRATE_PARALLEL,
  VIR_MIGRATE_PAUSED,
  VIR_MIGRATE_PEER2PEER,
  VIR_MIGRATE_POSTCOPY_RESUME,
  VIR_MIGRATE_TUNNELLED,
} from "../gen/friendly/constants.js";

/** The `VIR_ERR_*` code libvirt's client library gives the same failure. */
export type MigrateErrorCode = "VIR_ERR_INVALID_ARG" | "VIR_ERR_ARGUMENT_UNSUPPORTED" | "VIR_ERR_NO_SUPPORT" | "VIR_ERR_INTERNAL_ERROR";

/**
 * A migration libvirt's client library would refuse, or a step's answer it
 * would reject, before or between the daemons' calls. `code` is the
 * `VIR_ERR_*` libvirt reports; the message is libvirt's.
 */
export class MigrateError extends LibvirtRemoteError {
  override name = "MigrateError";
  declare readonly code: MigrateErrorCode;
  constructor(code: MigrateErrorCode, message: string) {
    super(code, message);
  }
}

const invalidArg = (m: string): MigrateError => new MigrateError("VIR_ERR_INVALID_ARG", m);
const unsupportedArg = (m: string): MigrateError => new MigrateError("VIR_ERR_ARGUMENT_UNSUPPORTED", `argument unsupported: ${m}`);
const noSupport = (fn: string): MigrateError => new MigrateError("VIR_ERR_NO_SUPPORT", `this function is not supported by the connection driver: ${fn}`);

/** VIR_DRV_SUPPORTS_FEATURE: the daemon's answer; an error answer throws, as libvirt then fails the migration. */
async function supports(c: Client, feature: number): Promise<boolean> {
  return (await c.connectSupportsFeature({ feature })).supported === 1;
}

/** VIR_EXCLUSIVE_FLAGS and VIR_REQUIRE_FLAG on the storage flags, which both entry points check first. */
function checkStorageFlags(flags: number): void {
  if (flags & VIR_MIGRATE_NON_SHARED_DISK && flags & VIR_MIGRATE_NON_SHARED_INC) {
    throw invalidArg("Flags 'VIR_MIGRATE_NON_SHARED_DISK' and 'VIR_MIGRATE_NON_SHARED_INC' are mutually exclusive");
  }
  if (flags & VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES && !(flags & (VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC))) {
    throw invalidArg("Flag 'VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC' is required by flag 'VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES'");
  }
}

/** The parameters with one string field set anew (virTypedParamsReplaceString). */
function replaceString(params: RemoteTypedParam[], field: string, value: string): RemoteTypedParam[] {
  const at = params.findIndex((p) => p.field === field);
  const entry: RemoteTypedParam = { field, value: { type: VirTypedParameterType.VIR_TYPED_PARAM_STRING, s: value } };
  return at < 0 ? [...params, entry] : params.map((p, i) => (i === at ? entry : p));
}

function stringParam(params: readonly RemoteTypedParam[], field: string): string | undefined {
  const p = params.find((q) => q.field === field);
  return p?.value.type === VirTypedParameterType.VIR_TYPED_PARAM_STRING ? p.value.s : undefined;
}

/** What a managed migration went through, for a caller that reports or tests the steps. */
export interface MigrateStep {
  step: "begin" | "prepare" | "perform" | "finish" | "confirm";
  /** The step's error, where it failed. */
  error?: unknown;
}

export interface ManagedOptions {
  /** Told of each step as it ends. */
  onStep?: (s: MigrateStep) => void;
}

/**
 * virDomainMigrate3: migrates `dom` from the daemon of `src` to that of
 * `dest`, the client running the steps. Resolves with the domain on the
 * destination; rejects with the error libvirt would report (the first
 * step's that failed, as virDomainMigrateVersion3Full keeps it).
 */
export async function migrateManaged(
  src: Client,
  dom: RemoteNonnullDomain,
  dest: Client,
  params: MigrateParams,
  flags: number,
  options: ManagedOptions = {},
): Promise<RemoteNonnullDomain> {
  const wire = toTypedParams(params, MIGRATE_PARAMS);
  checkStorageFlags(flags);
  if (flags & VIR_MIGRATE_PEER2PEER) throw invalidArg("use virDomainMigrateToURI3 for peer-to-peer migration");
  if (flags & VIR_MIGRATE_TUNNELLED) throw invalidArg("cannot perform tunnelled migration without using peer2peer flag");
  if (flags & VIR_MIGRATE_OFFLINE) {
    if (!(await supports(src, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_OFFLINE))) throw unsupportedArg("offline migration is not supported by the source host");
    if (!(await supports(dest, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_OFFLINE))) throw unsupportedArg("offline migration is not supported by the destination host");
  }
  // Only the source needs it; the steps add it back for the source alone.
  if (flags & VIR_MIGRATE_CHANGE_PROTECTION) {
    if (!(await supports(src, VirDrvFeature.VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION))) throw unsupportedArg("cannot enforce change protection");
  }
  flags &= ~VIR_MIGRATE_CHANGE_PROTECTION;
  const srcParams = await supports(src, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_PARAMS);
  const destParams = await supports(dest, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_PARAMS);
  if (srcParams && destParams) return version3Params(src, dom, dest, wire, flags, options.onStep ?? (() => undefined));
  const compat = new Set(["migrate_uri", "destination_name", "destination_xml", "bandwidth"]);
  if (wire.some((p) => !compat.has(p.field))) {
    throw unsupportedArg("Migration APIs with extensible parameters are not supported but extended parameters were passed");
  }
  // Migration protocols 1 to 3 without parameters (libvirt before 1.1.0) are not spoken here.
  for (const feature of [VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_V3, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_V2, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_V1]) {
    if ((await supports(src, feature)) && (await supports(dest, feature))) {
      throw new MigrateError("VIR_ERR_NO_SUPPORT", "this client migrates only with extensible parameters (libvirt 1.1.0 and later)");
    }
  }
  throw noSupport("virDomainMigrate3");
}

/** virDomainMigrateVersion3Full with extensible parameters. */
async function version3Params(
  src: Client,
  dom: RemoteNonnullDomain,
  dest: Client,
  initial: RemoteTypedParam[],
  flags: number,
  onStep: (s: MigrateStep) => void,
): Promise<RemoteNonnullDomain> {
  let params = initial;
  const protection = (await supports(src, VirDrvFeature.VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION)) ? VIR_MIGRATE_CHANGE_PROTECTION : 0;
  const srcFlags = (): number => flags | protection;

  let cookie: Uint8Array;
  let xml: string;
  try {
    ({ cookie_out: cookie, xml } = await src.domainMigrateBegin3Params({ dom, params, flags: srcFlags() }));
  } catch (error) {
    onStep({ step: "begin", error });
    throw error;
  }
  onStep({ step: "begin" });
  // A paused guest stays paused on the destination.
  const state = await src.domainGetState({ dom, flags: 0 }).catch(() => null);
  if (state !== null && state.state === VIR_DOMAIN_PAUSED && !(flags & VIR_MIGRATE_POSTCOPY_RESUME)) flags |= VIR_MIGRATE_PAUSED;
  const destFlags = flags & ~(VIR_MIGRATE_ABORT_ON_ERROR | VIR_MIGRATE_AUTO_CONVERGE);

  params = replaceString(params, "destination_xml", xml);
  /** The error reported in the end: the first that mattered (virErrorPreserveLast). */
  let kept: { error: unknown } | null = null;
  try {
    const prepared = await dest.domainMigratePrepare3Params({ params, cookie_in: cookie, flags: destFlags });
    cookie = prepared.cookie_out;
    onStep({ step: "prepare" });
    if (prepared.uri_out !== null) params = replaceString(params, "migrate_uri", prepared.uri_out);
    else if (stringParam(params, "migrate_uri") === undefined) kept = { error: new MigrateError("VIR_ERR_INTERNAL_ERROR", "internal error: domainMigratePrepare3 did not set uri") };
  } catch (error) {
    onStep({ step: "prepare", error });
    // Begin started a job on the source only under change protection: Confirm ends it.
    if (protection) await confirm(src, dom, params, new Uint8Array(0), srcFlags(), 1, onStep);
    throw error;
  }

  let cancelled = 1;
  let notifySource = true;
  if (kept === null && flags & VIR_MIGRATE_OFFLINE) {
    cookie = new Uint8Array(0);
    cancelled = 0;
  } else if (kept === null) {
    try {
      // dconnuri means nothing outside peer-to-peer.
      cookie = (await src.domainMigratePerform3Params({ dom, dconnuri: null, params, cookie_in: cookie, flags: srcFlags() })).cookie_out;
      onStep({ step: "perform" });
      cancelled = 0;
    } catch (error) {
      onStep({ step: "perform", error });
      kept = { error };
      // The source knows already: no Confirm.
      notifySource = false;
      cookie = new Uint8Array(0);
    }
  }

  // The destination ends its side either way: the guest started, or cleaned up where cancelled.
  if (stringParam(params, "destination_name") === undefined) params = replaceString(params, "destination_name", dom.name);
  let ddom: RemoteNonnullDomain | null = null;
  try {
    const finished = await dest.domainMigrateFinish3Params({ params, cookie_in: cookie, flags: destFlags, cancelled });
    onStep({ step: "finish" });
    ddom = finished.dom;
    cookie = finished.cookie_out;
  } catch (error) {
    onStep({ step: "finish", error });
    cookie = new Uint8Array(0);
    // A guest that died on the destination: Finish's own error says more than Perform's.
    const first: unknown = kept?.error;
    if (cancelled && isQemuOperationFailed(first) && error instanceof LibvirtError && error.domain === "VIR_FROM_QEMU" && error.code !== "VIR_ERR_MIGRATE_FINISH_OK") kept = null;
    kept ??= { error };
  }
  // Confirm kills the guest on the source, or restarts it where the destination has none.
  if (notifySource) await confirm(src, dom, params, cookie, srcFlags(), ddom === null ? 1 : 0, onStep);
  if (ddom !== null) return ddom;
  throw kept?.error ?? new MigrateError("VIR_ERR_INTERNAL_ERROR", "internal error: migration failed");
}

function isQemuOperationFailed(e: unknown): boolean {
  return e instanceof LibvirtError && e.domain === "VIR_FROM_QEMU" && e.code === "VIR_ERR_OPERATION_FAILED";
}

/** Confirm3Params: its failure only leaves the guest paused on the source, and is not reported (libvirt logs a warning). */
async function confirm(src: Client, dom: RemoteNonnullDomain, params: RemoteTypedParam[], cookie: Uint8Array, flags: number, cancelled: number, onStep: (s: MigrateStep) => void): Promise<void> {
  try {
    await src.domainMigrateConfirm3Params({ dom, params, cookie_in: cookie, flags, cancelled });
    onStep({ step: "confirm" });
  } catch (error) {
    onStep({ step: "confirm", error });
  }
}

/**
 * virDomainMigrateCheckNotLocal: a peer-to-peer destination URI must name
 * another host (or a Unix socket explicitly).
 */
function checkNotLocal(dconnuri: string): void {
  let server: string | null = null;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:(?:\/\/([^/?#]*))?[^?#]*(?:\?([^#]*))?/.exec(dconnuri);
  if (m === null) throw new MigrateError("VIR_ERR_INTERNAL_ERROR", `internal error: Unable to parse URI ${dconnuri}`);
  if (m[1] !== undefined && m[1] !== "") {
    const hostPort = m[1].replace(/^[^@]*@/, "");
    server = hostPort.startsWith("[") ? hostPort.slice(1, hostPort.indexOf("]")) : hostPort.replace(/:\d*$/, "");
    if (server === "") server = null;
  }
  const unixSocket = (m[2] ?? "").split("&").some((kv) => kv.split("=")[0] === "socket");
  if (server?.startsWith("localhost") === true || (server === null && !unixSocket)) {
    throw invalidArg("Attempt to migrate guest to the same host");
  }
}

/**
 * virDomainMigrateToURI3: with VIR_MIGRATE_PEER2PEER the source daemon
 * migrates to `dconnuri` itself; without it (direct migration) the
 * hypervisor does, and `dconnuri` is not used.
 */
export async function migrateToUri(src: Client, dom: RemoteNonnullDomain, dconnuri: string | null, params: MigrateParams, flags: number): Promise<void> {
  const wire = toTypedParams(params, MIGRATE_PARAMS);
  if (flags & VIR_MIGRATE_TUNNELLED && flags & VIR_MIGRATE_PARALLEL) {
    throw invalidArg("Flags 'VIR_MIGRATE_TUNNELLED' and 'VIR_MIGRATE_PARALLEL' are mutually exclusive");
  }
  checkStorageFlags(flags);
  if (flags & VIR_MIGRATE_OFFLINE && !(await supports(src, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_OFFLINE))) {
    throw unsupportedArg("offline migration is not supported by the source host");
  }
  const p2p = (flags & VIR_MIGRATE_PEER2PEER) !== 0;
  if (p2p) {
    if (!(await supports(src, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_P2P))) throw unsupportedArg("p2p migration is not supported by the source host");
  } else if (!(await supports(src, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_DIRECT))) {
    throw unsupportedArg("direct migration is not supported by the source host");
  }
  if (p2p && dconnuri === null) throw invalidArg("dconnuri in virDomainMigrateToURI3 must not be NULL");
  const target = p2p ? dconnuri : null;
  if (p2p) checkNotLocal(target!);
  if (p2p && (await supports(src, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_PARAMS))) {
    await src.domainMigratePerform3Params({ dom, dconnuri: target, params: wire, cookie_in: new Uint8Array(0), flags });
    return;
  }
  if (await supports(src, VirDrvFeature.VIR_DRV_FEATURE_MIGRATION_V3)) {
    const compat = new Set(["migrate_uri", "destination_name", "destination_xml", "bandwidth"]);
    if (wire.some((p) => !compat.has(p.field))) throw unsupportedArg("Some parameters are not supported by migration protocol 3");
    const bandwidth = wire.find((p) => p.field === "bandwidth")?.value;
    await src.domainMigratePerform3({
      dom,
      xmlin: stringParam(wire, "destination_xml") ?? null,
      cookie_in: new Uint8Array(0),
      dconnuri: target,
      uri: stringParam(wire, "migrate_uri") ?? null,
      flags: BigInt(flags),
      dname: stringParam(wire, "destination_name") ?? null,
      resource: bandwidth?.type === VirTypedParameterType.VIR_TYPED_PARAM_ULLONG ? bandwidth.ul : 0n,
    });
    return;
  }
  // Migration protocol 2 (libvirt before 0.9.2) is not spoken here.
  throw noSupport("virDomainMigrateToURI3");
}
