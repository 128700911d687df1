import { randomBytes } from "node:crypto";
import { link, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";

/**
 * The lock that lets one client, of several racing to a missing session
 * daemon, start it: libvirt's own lock file (`<runtime dir>/<daemon>.lock`,
 * virNetSocketNewConnectUNIX). libvirt holds an fcntl lock on it, which
 * Node cannot take; this lock is the file itself, made atomically with
 * link(2) and holding the owner's pid. So a starting virsh (its file
 * exists) makes us wait; a lock left by a killed client is taken over once
 * its owner is gone, or, for libvirt's empty file, once it is older than
 * libvirt ever holds it.
 */
export interface SpawnLock {
  /** Removes the lock file if it is still this one (libvirt's client unlinks it whoever holds it). */
  release(): Promise<void>;
}

/** libvirt holds its lock for at most 500 connect attempts 10 ms apart, plus the fork: a few seconds. */
const FOREIGN_STALE_MS = 10_000;

/** Takes the lock if it is free (or stale); null while someone else holds it. */
export async function tryLock(path: string, ownerLimitMs: number): Promise<SpawnLock | null> {
  const mine = await create(path);
  if (mine !== null) return mine;
  const held = await holder(path);
  if (held === null) return create(path);
  if (!isStale(held, ownerLimitMs)) return null;
  await takeOver(path, held.text);
  return create(path);
}

async function create(path: string): Promise<SpawnLock | null> {
  const token = randomBytes(8).toString("hex");
  const temp = `${path}.${process.pid}.${token}`;
  // The token tells this lock from a later one: an unlinked file's inode number is soon reused.
  const text = `${process.pid}\n${token}\n`;
  await writeFile(temp, text, { mode: 0o600 });
  try {
    await link(temp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return null;
    throw e;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return {
    async release() {
      const now = await readFile(path, "utf8").catch(() => null);
      if (now === text) await unlink(path).catch(() => undefined);
    },
  };
}

interface Holder {
  text: string;
  /** The owner's pid; null for libvirt's empty file. */
  pid: number | null;
  ageMs: number;
}

async function holder(path: string): Promise<Holder | null> {
  try {
    const s = await stat(path);
    const text = await readFile(path, "utf8");
    const pid = /^\d+\n/.test(text) ? Number.parseInt(text, 10) : null;
    return { text, pid, ageMs: Date.now() - s.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

function isStale(held: Holder, ownerLimitMs: number): boolean {
  if (held.pid === null) return held.ageMs > FOREIGN_STALE_MS;
  // A pid can be reused: a lock older than any owner holds it is stale too.
  return !alive(held.pid) || held.ageMs > ownerLimitMs + FOREIGN_STALE_MS;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Moves a stale lock aside. If two clients judge the same file stale, the
 * second may move the first one's fresh lock: it sees other contents and
 * puts that back.
 */
async function takeOver(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  const moved = await readFile(aside, "utf8");
  if (moved !== staleText) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}
