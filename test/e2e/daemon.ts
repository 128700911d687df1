import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { inject } from "vitest";
import type { ThrowawayDaemon } from "../../src/testing/daemon.js";

export type SharedDaemon = Pick<ThrowawayDaemon, "uris" | "socket" | "tcpPort" | "pid" | "dir">;

declare module "vitest" {
  export interface ProvidedContext {
    daemon: SharedDaemon | null;
  }
}

/** The run's shared daemon, or null where libvirtd is not installed (never in CI). */
export function sharedDaemon(): SharedDaemon | null {
  return inject("daemon");
}

const run = promisify(execFile);

/** virsh, the reference client, against the same daemon. */
export async function virsh(uri: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("virsh", ["-c", uri, ...args], { encoding: "utf8" });
  return stdout;
}

/** Like virsh() but returns stderr and the exit code instead of throwing. */
export async function virshFails(uri: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run("virsh", ["-c", uri, ...args], { encoding: "utf8" });
    return { code: 0, stderr: "" };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
}

/** libvirt-python (the C client underneath), for messages and behaviour to compare with. */
export async function python(script: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("/usr/bin/python3", ["-c", script, ...args], { encoding: "utf8" });
  return stdout;
}

/** A domain name no other test file uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
