import { execFile } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { promisify } from "node:util";
import { inject } from "vitest";
import type { Client } from "../../src/client/client.js";
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

/**
 * Uploads `data`, given in pieces cut at `cuts`, to a new volume of a
 * transient dir pool at `poolDir` (made here, open to the daemon's user),
 * then downloads it: the bytes that came back. The pool is destroyed.
 */
export async function volumeRoundTrip(conn: Client, poolDir: string, data: Buffer, cuts: number[]): Promise<Buffer> {
  mkdirSync(poolDir, { recursive: true });
  chmodSync(poolDir, 0o777);
  const { pool } = await conn.storagePoolCreateXml({ xml: `<pool type='dir'><name>${uniqueName("rt")}</name><target><path>${poolDir}</path></target></pool>`, flags: 0 });
  try {
    const { vol } = await conn.storageVolCreateXml({ pool, xml: `<volume><name>v</name><capacity>${data.length}</capacity><target><format type='raw'/></target></volume>`, flags: 0 });
    const pieces = [0, ...cuts, data.length].slice(1).map((end, i, ends) => data.subarray(i === 0 ? 0 : ends[i - 1], end));
    await conn.storageVolUpload({ vol, offset: 0n, length: 0n, flags: 0 }, pieces);
    const back: Buffer[] = [];
    for await (const chunk of await conn.storageVolDownload({ vol, offset: 0n, length: 0n, flags: 0 })) back.push(chunk as Buffer);
    return Buffer.concat(back);
  } finally {
    await conn.storagePoolDestroy({ pool });
  }
}
