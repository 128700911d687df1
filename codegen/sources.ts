// The generator's inputs as they sit in a libvirt source tree (or a flat
// folder of .x files): the protocol files, the public headers, virsh's
// event sources.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SourceFile } from "./generate.js";

/** The `.x` files a client needs, as they sit in a libvirt source tree. */
export const CLIENT_PROTOCOLS = [
  "src/rpc/virnetprotocol.x",
  "src/rpc/virkeepaliveprotocol.x",
  "src/remote/remote_protocol.x",
  "src/remote/qemu_protocol.x",
  "src/remote/lxc_protocol.x",
  "src/admin/admin_protocol.x",
];

/** The daemons' private protocols: parsed and generated only with --all. */
export const INTERNAL_PROTOCOLS = [
  "src/locking/lock_protocol.x",
  "src/logging/log_protocol.x",
  "src/lxc/lxc_monitor_protocol.x",
];

/**
 * Reads the `.x` files from a libvirt source tree (the known paths) or from
 * a flat folder (every `*.x` in it).
 */
export function readSources(from: string, all = false): SourceFile[] {
  const wanted = all ? [...CLIENT_PROTOCOLS, ...INTERNAL_PROTOCOLS] : CLIENT_PROTOCOLS;
  if (existsSync(join(from, CLIENT_PROTOCOLS[2]!))) {
    return wanted
      .filter((p) => existsSync(join(from, p)))
      .map((p) => ({ path: p, text: readFileSync(join(from, p), "utf8") }));
  }
  const flat = readdirSync(from).filter((f) => f.endsWith(".x")).sort();
  if (flat.length === 0) throw new Error(`${from}: neither a libvirt source tree nor a folder of .x files`);
  return flat.map((f) => ({ path: f, text: readFileSync(join(from, f), "utf8") }));
}

/**
 * libvirt's public headers in the order libvirt.h includes them (later ones
 * use earlier ones' enum members), then the ones it does not include.
 * Empty when `from` is not a source tree.
 */
export function readHeaders(from: string): SourceFile[] {
  const dir = join(from, "include/libvirt");
  if (!existsSync(join(dir, "libvirt.h"))) return [];
  const present = readdirSync(dir).filter((f) => f.endsWith(".h") || f === "libvirt-common.h.in");
  const included = [...readFileSync(join(dir, "libvirt.h"), "utf8").matchAll(/#\s*include\s+<libvirt\/([\w-]+\.h)>/g)]
    .map((m) => (m[1] === "libvirt-common.h" ? "libvirt-common.h.in" : m[1]!))
    .filter((f) => present.includes(f));
  const rest = present.filter((f) => !included.includes(f) && f !== "libvirt.h").sort();
  const headers = [...included, ...rest].map((f) => ({ path: `include/libvirt/${f}`, text: readFileSync(join(dir, f), "utf8") }));
  // Not public, but its driver feature numbers are protocol facts (CONNECT_SUPPORTS_FEATURE).
  const internal = join(from, "src/libvirt_internal.h");
  if (existsSync(internal)) headers.push({ path: "src/libvirt_internal.h", text: readFileSync(internal, "utf8") });
  return headers;
}

/** virsh's event sources, when `from` is a source tree that has them. */
export function readVirsh(from: string): SourceFile[] {
  const names = ["virsh-domain-event.c", "virsh-network.c", "virsh-pool.c", "virsh-nodedev.c", "virsh-secret.c"];
  return names
    .map((n) => `tools/${n}`)
    .filter((p) => existsSync(join(from, p)))
    .map((p) => ({ path: p, text: readFileSync(join(from, p), "utf8") }));
}
