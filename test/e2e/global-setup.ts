import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startDaemon } from "../../src/testing/daemon.js";
import { daemonVersionFromEnv, libvirt11Prefix } from "../../src/testing/prefix.js";
import type { SharedDaemon } from "./daemon.js";

/**
 * One throwaway libvirtd for the whole run; tests that kill a daemon start
 * their own. LIBVIRT_E2E_DAEMON=11.3 makes it (and every daemon a test
 * starts) the libvirt 11.3 that scripts/libvirt-11.sh unpacks.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const version = daemonVersionFromEnv();
  const binary = version === "11.3" ? `${libvirt11Prefix()}/usr/sbin/libvirtd` : "/usr/sbin/libvirtd";
  if (!existsSync(binary)) {
    const how = version === "11.3" ? "run scripts/libvirt-11.sh" : "apt-get install libvirt-daemon";
    if (process.env["CI"] !== undefined) throw new Error(`CI must run the end-to-end tests, but ${binary} is missing (${how})`);
    project.provide("daemon", null);
    return undefined;
  }
  const d = await startDaemon({ version });
  const shared: SharedDaemon = { uris: d.uris, socket: d.socket, tcpPort: d.tcpPort, pid: d.pid, dir: d.dir };
  project.provide("daemon", shared);
  return () => d.stop();
}
