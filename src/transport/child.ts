import { spawn } from "node:child_process";
import { basename } from "node:path";
import { Duplex, type Readable, type Writable } from "node:stream";
import { AbortError, TransportError } from "../errors.js";

/** How a process (or a remote command) ended. */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
  /** Why it ended when there is no status (an SSH connection lost). */
  error?: string;
}

/**
 * The ends of something that runs a command: a local child process, or an
 * exec channel of an SSH connection. `stdin` and `stdout` may be one object.
 */
export interface CommandEnds {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable | null;
  /** Settles once the command is gone (reaped, or its channel closed). */
  exited: Promise<ExitStatus>;
  /** Starts stopping it; `exited` settles afterwards. */
  kill(): void;
}

export interface CommandDuplexOptions {
  /** The TransportError's `transport`: `ssh`, `ext`, `libssh2`. */
  transport: string;
  /** Names the command in messages: `ssh`, `the remote command`. */
  what: string;
  /** Bytes of stderr kept (the end of it). */
  stderrLimit?: number;
  /** After the command has exited, how long its stdout may take to drain. */
  drainGraceMs?: number;
}

const STDERR_LIMIT = 8 * 1024;

/**
 * The bytes of a command's stdin/stdout as one Duplex, with the command's
 * life tied to it: the readable side ends only once the command is gone;
 * a command that dies with a failure status while the connection is in
 * use destroys the stream with a TransportError carrying its stderr (the
 * only place ssh says why: "Permission denied (publickey).");
 * destroy() stops the command and 'close' comes after it is gone.
 */
export class CommandDuplex extends Duplex {
  private readonly ends: CommandEnds;
  private readonly options: Required<CommandDuplexOptions>;
  private stderrText = "";
  private stdoutEnded = false;
  private status: ExitStatus | null = null;
  /** We ended our side or were destroyed: a failure status is then the tunnel closing, not an error. */
  private closing = false;

  constructor(ends: CommandEnds, options: CommandDuplexOptions) {
    super({ allowHalfOpen: true });
    this.ends = ends;
    this.options = { stderrLimit: STDERR_LIMIT, drainGraceMs: 1000, ...options };
    ends.stdout.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) ends.stdout.pause();
    });
    ends.stdout.on("end", () => {
      this.stdoutEnded = true;
      this.settle();
    });
    // A broken pipe means the command is dying; its exit status says why.
    ends.stdout.on("error", () => this.onStdoutGone());
    ends.stdin.on("error", () => {});
    ends.stderr?.on("data", (chunk: Buffer) => {
      this.stderrText = (this.stderrText + chunk.toString("utf8")).slice(-this.options.stderrLimit);
    });
    ends.stderr?.on("error", () => {});
    ends.exited.then((status) => {
      this.status = status;
      if (!this.stdoutEnded) {
        // Whatever still holds stdout open is not the command: give it a moment, then stop reading.
        const timer = setTimeout(() => this.onStdoutGone(), this.options.drainGraceMs);
        ends.stdout.once("close", () => clearTimeout(timer));
      }
      this.settle();
    });
  }

  /** The end of what the command wrote to stderr (at most `stderrLimit` bytes). */
  get stderr(): string {
    return this.stderrText;
  }

  /** The command's status once it has ended. */
  get exitStatus(): ExitStatus | null {
    return this.status;
  }

  override _read(): void {
    this.ends.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    // A write error means the command is dying; its exit status says why, so it is not reported here.
    this.ends.stdin.write(chunk, () => done());
  }

  override _final(done: (error?: Error | null) => void): void {
    this.closing = true;
    this.ends.stdin.end(() => done());
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.closing = true;
    if (this.status === null) this.ends.kill();
    this.ends.stdin.destroy();
    void this.ends.exited.then(() => {
      this.ends.stdout.destroy();
      this.ends.stderr?.destroy();
      done(error);
    });
  }

  private onStdoutGone(): void {
    this.stdoutEnded = true;
    this.ends.stdout.destroy();
    this.settle();
  }

  /** Ends the readable side, or fails the stream, once both stdout and the command are done. */
  private settle(): void {
    if (!this.stdoutEnded || this.status === null || this.destroyed) return;
    const failed = this.status.code !== 0;
    if (failed && !this.closing) {
      this.destroy(
        new TransportError(this.options.transport, failureMessage(this.options.what, this.status, this.stderrText), {
          stderr: this.stderrText,
        }),
      );
      return;
    }
    this.push(null);
  }
}

/** The lines of stderr that say what went wrong, without ssh's routine warnings. */
export function meaningfulLines(stderr: string, count = 2): string[] {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const routine = (l: string): boolean => /^Warning: Permanently added /.test(l) || /^\*\* /.test(l);
  const useful = lines.filter((l) => !routine(l));
  return (useful.length > 0 ? useful : lines).slice(-count);
}

function describeStatus(s: ExitStatus): string {
  if (s.signal !== null) return `was killed by ${s.signal}`;
  if (s.code !== null) return `exited with status ${s.code}`;
  return s.error === undefined ? "ended without a status" : `ended: ${s.error}`;
}

/** `Permission denied (publickey). (ssh exited with status 255)` */
export function failureMessage(what: string, status: ExitStatus, stderr: string): string {
  const lines = meaningfulLines(stderr);
  const how = `${what} ${describeStatus(status)}`;
  return lines.length === 0 ? `${how} before the connection was closed` : `${lines.join(" ")} (${how})`;
}

/**
 * The environment libvirt's virCommandAddEnvPassCommon keeps for a
 * command it runs (LC_ALL=C plus a few variables), and nothing else.
 */
export const COMMON_ENV = ["LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "DYLD_FORCE_FLAT_NAMESPACE", "PATH", "HOME", "USER", "LOGNAME", "TMPDIR"] as const;
/**
 * What virNetSocketNewConnectSSH adds for ssh: its agent, askpass, Kerberos
 * and X display; GPG_TTY and TERM as Debian's libvirt adds them (its patch
 * "Pass GPG_TTY env var to the ssh binary"), for gpg-agent's pinentry.
 */
export const SSH_ENV = ["XDG_RUNTIME_DIR", "KRB5CCNAME", "SSH_AUTH_SOCK", "SSH_ASKPASS", "GPG_TTY", "TERM", "OPENSSL_CONF", "DISPLAY", "XAUTHORITY"] as const;

export function passEnv(names: readonly string[], from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = { LC_ALL: "C" };
  for (const name of names) {
    const v = from[name];
    if (v !== undefined) env[name] = v;
  }
  return env;
}

export interface SpawnOptions {
  transport: string;
  env: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Between SIGTERM and SIGKILL when the stream is destroyed. */
  killGraceMs?: number;
}

/**
 * Runs a command with its stdin and stdout as the connection (libvirt uses
 * a socketpair; Node's stdio pipes are socketpairs too) and resolves once
 * it has started. Failure to start rejects; anything later is the stream's.
 */
export function spawnCommand(file: string, args: readonly string[], options: SpawnOptions): Promise<CommandDuplex> {
  const what = basename(file);
  return new Promise((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) {
      reject(new AbortError(`running ${what} was aborted`, { cause: signal.reason }));
      return;
    }
    const child = spawn(file, args, { env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let killTimer: NodeJS.Timeout | undefined;
    const exited = new Promise<ExitStatus>((settle) => {
      child.once("exit", (code, sig) => {
        clearTimeout(killTimer);
        settle({ code, signal: sig });
      });
      // Never spawned: there is no process to wait for.
      child.once("error", (err: NodeJS.ErrnoException) => {
        if (child.pid === undefined) settle({ code: null, signal: null, error: err.message });
      });
    });
    const kill = (): void => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill("SIGTERM");
      killTimer ??= setTimeout(() => child.kill("SIGKILL"), options.killGraceMs ?? 2000);
    };
    const onAbort = (): void => {
      kill();
      void exited.then(() => {
        child.stdin.destroy();
        child.stdout.destroy();
        child.stderr.destroy();
      });
      reject(new AbortError(`running ${what} was aborted`, { cause: signal?.reason }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    child.once("spawn", () => {
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted) return;
      resolve(new CommandDuplex({ stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited, kill }, { transport: options.transport, what }));
    });
    child.once("error", (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      signal?.removeEventListener("abort", onAbort);
      child.stdin.destroy();
      child.stdout.destroy();
      child.stderr.destroy();
      reject(new TransportError(options.transport, `cannot run ${file}: ${err.message}`, { cause: err, code: "ERR_TRANSPORT" }));
    });
  });
}
