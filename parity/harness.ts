/**
 * Runs every method of the parity table through the friendly layer and,
 * on the same daemon, through libvirt-python (twin.py, one process for the
 * whole batch), and compares the two. Both refusing with the same libvirt
 * error is a skip, with the daemon's reason; anything else that is not
 * equal is a difference.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { open } from "../src/api/connection.js";
import { LibvirtError } from "../src/rpc/errors.js";
import { same, show, whereTheyDiffer } from "./compare.js";
import { METADATA_URI, type RichGuest } from "./guest.js";
import { parityMethods } from "./methods.js";

export type ParityStatus = "equal" | "differ" | "skipped";

export interface ParityResult {
  name: string;
  status: ParityStatus;
  /** The normalisation applied (methods.ts), the skip's reason, or the two values that differ. */
  detail: string;
}

/** The libvirt-python this machine has (python3-libvirt). */
const PY_VERSION = "9.0";

type Outcome = { value: unknown } | { error: { number: number; message: string } };

/** twin.py beside this module (source tree) or beside its source (dist/parity). */
function twinPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, "twin.py");
  return existsSync(beside) ? beside : join(here, "..", "..", "parity", "twin.py");
}

function python(request: unknown): Promise<Record<string, Outcome>> {
  return new Promise((resolve, reject) => {
    const child = execFile("/usr/bin/python3", [twinPath()], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`libvirt-python's side failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as Record<string, Outcome>);
    });
    child.stdin?.end(JSON.stringify(request));
  });
}

async function ours(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { value: await call() };
  } catch (e) {
    if (e instanceof LibvirtError) return { error: { number: e.number, message: e.message } };
    return { error: { number: -1, message: `${(e as Error).name}: ${(e as Error).message}` } };
  }
}

function judge(py: Outcome | undefined, mine: Outcome, norm: string | undefined): Omit<ParityResult, "name"> {
  if (py === undefined) return { status: "differ", detail: "libvirt-python gave no answer" };
  if ("error" in py && py.error.message.startsWith("AttributeError")) return { status: "skipped", detail: `libvirt-python ${PY_VERSION} has no twin (${py.error.message})` };
  // Nothing to compare when both refuse. The codes may differ where libvirt-python asks first for
  // something else (schedulerParametersFlags calls virDomainGetSchedulerType for the count).
  if ("error" in py && "error" in mine) {
    if (py.error.number === mine.error.number) return { status: "skipped", detail: `both refuse: ${mine.error.message}` };
    return { status: "skipped", detail: `both refuse: ${mine.error.message} (code ${mine.error.number}); libvirt-python: ${py.error.message} (code ${py.error.number})` };
  }
  // A few bindings (guestVcpus) give None where the C call failed, instead of raising.
  if ("error" in mine && "value" in py && py.value === null) return { status: "skipped", detail: `both refuse: ${mine.error.message} (libvirt-python gives None)` };
  if ("error" in mine) return { status: "differ", detail: `ours refused (${mine.error.message}); libvirt-python: ${show((py as { value: unknown }).value)}` };
  if ("error" in py) return { status: "differ", detail: `libvirt-python refused (${py.error.message}); ours: ${show(mine.value)}` };
  if (same(py.value, mine.value)) return { status: "equal", detail: norm ?? "" };
  const where = whereTheyDiffer(py.value, mine.value);
  return { status: "differ", detail: where !== "" ? where : `ours ${show(mine.value)} | libvirt-python ${show(py.value)}` };
}

/** Compares the methods `pick` keeps (all by default) on the guest `g` of the daemon at `uri`. */
export async function runParity(uri: string, g: RichGuest, pick: (name: string) => boolean = () => true): Promise<ParityResult[]> {
  const conn = await open(uri);
  try {
    const dom = await conn.domain(g.domain);
    const pool = await conn.storagePool(g.pool);
    const secret = await conn.secret(g.secretUuid);
    const network = g.network === null ? null : await conn.network(g.network);
    // A node device to read, when the daemon lists any (udev may be absent).
    const nodeDevice = (await conn.listAllNodeDevices().catch(() => []))[0] ?? null;
    const targets = { conn, dom, pool, secret, network, nodeDevice, disks: g.disks, interfaces: g.interfaces, metadataUri: METADATA_URI };
    const methods = (await parityMethods(targets)).filter((m) => pick(m.name));
    const request = { uri, domain: g.domain, pool: g.pool, secret: g.secretUuid, network: g.network, nodedev: nodeDevice?.name ?? null };
    const twin = await python({ ...request, calls: methods.map((m) => ({ name: m.name, expr: m.py })) });
    const results: ParityResult[] = g.network === null && pick("Network.*") ? [{ name: "Network.*", status: "skipped", detail: g.notes.join("; ") }] : [];
    for (const m of methods) results.push({ name: m.name, ...judge(twin[m.name], await ours(m.ours), m.norm) });
    return results;
  } finally {
    await conn.close();
  }
}

/** One line per method, then `parity: N compared, M equal, K differ, S skipped`. */
export function report(results: readonly ParityResult[]): string[] {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.status.padEnd(7)} ${r.name.padEnd(width)}${r.detail === "" ? "" : `  ${r.detail}`}`);
  const count = (s: ParityStatus): number => results.filter((r) => r.status === s).length;
  const equal = count("equal");
  const differ = count("differ");
  lines.push(`parity: ${equal + differ} compared, ${equal} equal, ${differ} differ, ${count("skipped")} skipped`);
  return lines;
}
