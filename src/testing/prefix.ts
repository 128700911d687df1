import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Daemon versions the end-to-end suite runs against: the system's, and the one scripts/libvirt-11.sh unpacks. */
export type DaemonVersion = "system" | "11.3";

/** Where scripts/libvirt-11.sh puts libvirt 11.3 (keep the two in step). */
export function libvirt11Prefix(env: NodeJS.ProcessEnv = process.env, euid = process.geteuid?.() ?? 0): string {
  const given = env["LIBVIRT_11_PREFIX"];
  if (given !== undefined && given !== "") return given;
  if (euid === 0) return "/opt/libvirt-11.3";
  return join(env["XDG_CACHE_HOME"] || join(env["HOME"] ?? homedir(), ".cache"), "libvirt-remote", "libvirt-11.3");
}

/**
 * How to run the libvirtd unpacked (dpkg-deb -x) under `prefix`: its own
 * libvirt.so through LD_LIBRARY_PATH, and libvirt's override variables for
 * every directory it would otherwise load modules or helpers from at a
 * compiled-in path, where the system's older libvirt keeps its own (which
 * fail to load against the newer library).
 */
export function prefixDaemon(prefix: string): { binary: string; env: Record<string, string> } {
  const binary = join(prefix, "usr/sbin/libvirtd");
  const lib = libDir(prefix);
  if (!existsSync(binary) || lib === undefined) {
    throw new Error(`no libvirtd under ${prefix}: run scripts/libvirt-11.sh first`);
  }
  const modules = join(lib, "libvirt");
  return {
    binary,
    env: {
      LD_LIBRARY_PATH: lib,
      LIBVIRT_DRIVER_DIR: join(modules, "connection-driver"),
      LIBVIRT_STORAGE_BACKEND_DIR: join(modules, "storage-backend"),
      LIBVIRT_STORAGE_FILE_DIR: join(modules, "storage-file"),
      LIBVIRT_LOCK_MANAGER_PLUGIN_DIR: join(modules, "lock-driver"),
      // A directory, searched for virtlogd, which the QEMU driver spawns in session mode.
      VIRTLOGD_PATH: join(prefix, "usr/sbin"),
    },
  };
}

/** How to run the virsh unpacked under `prefix` against its own libvirt.so; null when it is not there. */
export function prefixVirsh(prefix: string): { binary: string; env: Record<string, string> } | null {
  const binary = join(prefix, "usr/bin/virsh");
  const lib = libDir(prefix);
  return existsSync(binary) && lib !== undefined ? { binary, env: { LD_LIBRARY_PATH: lib } } : null;
}

/** The multiarch library folder holding libvirt.so.0 (`usr/lib/x86_64-linux-gnu`). */
function libDir(prefix: string): string | undefined {
  const usrLib = join(prefix, "usr/lib");
  if (!existsSync(usrLib)) return undefined;
  return [usrLib, ...readdirSync(usrLib).map((d) => join(usrLib, d))].find((d) => existsSync(join(d, "libvirt.so.0")));
}

/** LIBVIRT_E2E_DAEMON: `11.3` for the unpacked daemon; unset, `system` or `9.0` for the system's. */
export function daemonVersionFromEnv(env: NodeJS.ProcessEnv = process.env): DaemonVersion {
  const v = env["LIBVIRT_E2E_DAEMON"];
  if (v === undefined || v === "" || v === "system" || v === "9.0") return "system";
  if (v === "11.3") return "11.3";
  throw new Error(`LIBVIRT_E2E_DAEMON must be 11.3, 9.0 or system, not '${v}'`);
}
