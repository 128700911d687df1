import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdir } from "node:fs/promises";
import type { Socket } from "node:net";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { AbortError, ConnectError } from "../errors.js";
import { AutostartError } from "./autostart-error.js";
import type { AutostartPlan } from "./autostart-plan.js";
import { STRERROR, UnixTransport } from "./socket.js";
import { tryLock, type SpawnLock } from "./spawn-lock.js";
import type { Transport } from "./transport.js";

const POLL_MS = 20;
/** After the started daemon exits, how long another one (started by a racing virsh) may take to answer. */
const EXITED_GRACE_MS = 2_000;

/**
 * The per-user daemon's Unix socket, starting the daemon when the socket
 * is absent or refuses (a stale file), as libvirt's client does: the one
 * client that takes the spawn lock starts it, every client waits for the
 * socket to answer.
 */
export class AutostartTransport implements Transport {
  readonly description: string;
  private readonly unix: UnixTransport;

  constructor(readonly plan: AutostartPlan) {
    this.unix = new UnixTransport(plan.socket);
    this.description = this.unix.description;
  }

  async connect(signal?: AbortSignal): Promise<Socket> {
    const firstTry = await this.attempt(signal);
    if (firstTry.socket !== undefined) return firstTry.socket;
    await makeRuntimeDir(dirname(this.plan.lock), this.plan.socket);
    const deadline = Date.now() + this.plan.wait;
    let lock: SpawnLock | null = null;
    let daemon: StartedDaemon | null = null;
    let absent = firstTry.error;
    try {
      for (;;) {
        if (daemon === null) {
          lock ??= await tryLock(this.plan.lock, this.plan.wait);
          if (lock !== null) {
            // Whoever held the lock before may have just started it.
            const again = await this.attempt(signal);
            if (again.socket !== undefined) return again.socket;
            daemon = startDaemon(this.plan, again.error);
          }
        }
        const failed = daemon?.failure();
        if (failed !== undefined) throw failed;
        if (Date.now() > deadline) {
          throw new AutostartError("not-ready", this.plan.daemon, this.plan.socket, `${absent.message}; ${this.plan.daemon} ${daemon === null ? "was being started by another client, and" : "was started, but"} its socket did not answer within ${this.plan.wait} ms`, { cause: absent });
        }
        await sleep(POLL_MS, signal);
        const next = await this.attempt(signal);
        if (next.socket !== undefined) return next.socket;
        absent = next.error;
      }
    } finally {
      await lock?.release();
    }
  }

  /** One dial: the socket, or the error that says no daemon listens there (anything else is thrown). */
  private async attempt(signal: AbortSignal | undefined): Promise<{ socket: Socket; error?: never } | { socket?: never; error: Error }> {
    try {
      return { socket: await this.unix.connect(signal) };
    } catch (e) {
      if (!noDaemonThere(e)) throw e;
      return { error: e as Error };
    }
  }
}

/** The per-user runtime directory, made as libvirt's client makes it before starting the daemon; a failure in its words. */
async function makeRuntimeDir(dir: string, socket: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    throw new ConnectError("ERR_CONNECT", socket, `Cannot create user runtime directory '${dir}': ${STRERROR[code] ?? (e as Error).message}`, { cause: e });
  }
}

/** ENOENT or ECONNREFUSED anywhere in the cause chain: the two errors on which libvirt's client starts the daemon. */
function noDaemonThere(e: unknown): boolean {
  for (let err = e; err instanceof Error; err = err.cause) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ECONNREFUSED") return true;
  }
  return false;
}

interface StartedDaemon {
  /** Why it can no longer come up, once it cannot; undefined while it may. */
  failure(): AutostartError | undefined;
}

/**
 * Starts the daemon detached, in its own session, with `--timeout=N`, as
 * virNetSocketForkDaemon does; it outlives this process. A missing binary
 * fails at once; a daemon that exits fails the wait after a grace period
 * (it may have lost the daemon's own pid-file lock to one a racing virsh
 * started, which will answer).
 */
function startDaemon(plan: AutostartPlan, absent: Error): StartedDaemon {
  const missing = notExecutable(plan.daemon, plan.env["PATH"]);
  if (missing !== null) {
    throw new AutostartError("no-daemon", plan.daemon, plan.socket, `${absent.message}; no session daemon to start: '${plan.daemon}' ${missing} (VIRTD_PATH or LIBVIRTD_PATH names the folder that holds it)`, { cause: absent });
  }
  const child = spawn(plan.daemon, [`--timeout=${plan.idleTimeout}`], { env: plan.env, cwd: "/", detached: true, stdio: "ignore" });
  child.unref();
  let failure: AutostartError | undefined;
  let exitedAt: number | null = null;
  child.once("error", (err) => {
    failure = new AutostartError("exited", plan.daemon, plan.socket, `${absent.message}; starting ${plan.daemon} failed: ${err.message}`, { cause: err });
  });
  child.once("exit", (code, signal) => {
    exitedAt = Date.now();
    const status = signal === null ? `status ${code}` : `signal ${signal}`;
    failure = new AutostartError("exited", plan.daemon, plan.socket, `${absent.message}; ${plan.daemon} was started but exited (${status}) before its socket answered`, { cause: absent });
  });
  return {
    failure: () => (failure !== undefined && (exitedAt === null || Date.now() - exitedAt > EXITED_GRACE_MS) ? failure : undefined),
  };
}

/** Why a binary cannot be run, or null if it can; a bare name (an empty VIRTD_PATH) is looked up in PATH, as libvirt does. */
function notExecutable(binary: string, path: string | undefined): string | null {
  const candidates = isAbsolute(binary) || binary.includes("/") ? [binary] : (path ?? "").split(delimiter).filter((d) => d !== "").map((d) => join(d, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return null;
    } catch {
      // the next one
    }
  }
  try {
    accessSync(candidates[0] ?? binary, constants.F_OK);
    return "is not executable";
  } catch {
    return "does not exist";
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError("connecting was aborted while the session daemon started", { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError("connecting was aborted while the session daemon started", { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
