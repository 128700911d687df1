import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startDaemon } from "../../src/testing/daemon.js";
import type { SharedDaemon } from "./daemon.js";

/** One throwaway libvirtd for the whole run; tests that kill a daemon start their own. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!existsSync("/usr/sbin/libvirtd")) {
    if (process.env["CI"] !== undefined) throw new Error("CI must run the end-to-end tests, but libvirtd is not installed");
    project.provide("daemon", null);
    return undefined;
  }
  const d = await startDaemon();
  const shared: SharedDaemon = { uris: d.uris, socket: d.socket, tcpPort: d.tcpPort, pid: d.pid, dir: d.dir };
  project.provide("daemon", shared);
  return () => d.stop();
}
