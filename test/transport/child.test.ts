import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AbortError, TransportError } from "../../src/rpc/errors.js";
import { meaningfulLines, spawnCommand, type CommandDuplex } from "../../src/transport/child.js";

const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", LC_ALL: "C" };
const sh = (script: string, killGraceMs?: number): Promise<CommandDuplex> =>
  spawnCommand("/bin/sh", ["-c", script], { transport: "ssh", env, ...(killGraceMs === undefined ? {} : { killGraceMs }) });

/** Reads everything; resolves with the bytes and the error the stream ended with, if any. */
function drain(s: CommandDuplex): Promise<{ data: string; error: Error | undefined; ended: boolean }> {
  return new Promise((resolve) => {
    let data = "";
    let error: Error | undefined;
    let ended = false;
    s.on("data", (c: Buffer) => (data += c.toString()));
    s.on("end", () => (ended = true));
    s.on("error", (e) => (error = e));
    s.on("close", () => resolve({ data, error, ended }));
  });
}

describe("CommandDuplex over a child process", () => {
  it("carries bytes both ways; ends after the command exits cleanly", async () => {
    const s = await sh("cat");
    const done = drain(s);
    s.write("hello ");
    s.end("world");
    expect(await done).toEqual({ data: "hello world", error: undefined, ended: true });
    expect(s.exitStatus).toEqual({ code: 0, signal: null });
  });

  it("a failure before the peer is done becomes a TransportError with the meaningful stderr and the status", async () => {
    const s = await sh(
      'echo "Warning: Permanently added \'[h]:22\' (ED25519) to the list of known hosts." >&2; echo "u@h: Permission denied (publickey)." >&2; exit 255',
    );
    const { error, ended } = await drain(s);
    expect(ended).toBe(false);
    expect(error).toBeInstanceOf(TransportError);
    expect(error?.message).toBe("u@h: Permission denied (publickey). (sh exited with status 255)");
    expect((error as TransportError).transport).toBe("ssh");
    expect((error as TransportError).stderr).toContain("Warning: Permanently added");
  });

  it("bytes written before the failure are still delivered first", async () => {
    const s = await sh("printf abc; echo 'sh: 1: nc: not found' >&2; exit 127");
    const { data, error } = await drain(s);
    expect(data).toBe("abc");
    expect(error?.message).toBe("sh: 1: nc: not found (sh exited with status 127)");
  });

  it("names a signal death, and says when there was nothing on stderr", async () => {
    const { error } = await drain(await sh("kill -9 $$"));
    expect(error?.message).toBe("sh was killed by SIGKILL before the connection was closed");
  });

  it("keeps only the last 8 KiB of stderr", async () => {
    const { error } = await drain(await sh("head -c 100000 /dev/zero | tr '\\0' x >&2; echo last line >&2; exit 1"));
    const stderr = (error as TransportError).stderr!;
    expect(stderr.length).toBe(8192);
    expect(stderr.endsWith("last line\n")).toBe(true);
  });

  it("a failure status after we ended our side is the tunnel closing, not an error", async () => {
    const s = await sh("cat >/dev/null; exit 3");
    const done = drain(s);
    s.end();
    expect(await done).toEqual({ data: "", error: undefined, ended: true });
    expect(s.exitStatus?.code).toBe(3);
  });

  it("destroy() stops a command that ignores SIGTERM (SIGKILL after the grace period); close comes after it is gone", async () => {
    const s = await sh('trap "" TERM; echo ready; while :; do :; done', 200);
    await new Promise((resolve) => s.once("data", resolve));
    const started = performance.now();
    s.destroy();
    await new Promise((resolve) => s.once("close", resolve));
    expect(s.exitStatus).toEqual({ code: null, signal: "SIGKILL" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("refuses a command that cannot run, and honours an AbortSignal", async () => {
    const missing = await spawnCommand("/nonexistent/ssh", [], { transport: "ssh", env }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TransportError);
    expect((missing as Error).message).toMatch(/^cannot run \/nonexistent\/ssh: spawn \/nonexistent\/ssh ENOENT$/);
    const aborted = await spawnCommand("/bin/true", [], { transport: "ssh", env, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(AbortError);
  });

  it("leaves no fd and no child behind over many runs", async () => {
    const count = (): number => readdirSync("/proc/self/fd").length;
    const warm = await sh("cat");
    warm.destroy();
    await new Promise((resolve) => warm.once("close", resolve));
    const baseline = count();
    for (let i = 0; i < 50; i++) {
      const s = await sh(i % 2 === 0 ? "cat" : "exit 1");
      const done = drain(s);
      if (i % 2 === 0) s.destroy();
      await done;
    }
    expect(count()).toBeLessThanOrEqual(baseline);
  });
});

describe("meaningfulLines", () => {
  it("drops ssh's routine warnings unless nothing else was said, and keeps the last two lines", () => {
    expect(meaningfulLines("Warning: Permanently added 'x' (ED25519) to the list of known hosts.\r\nu@h: Permission denied (publickey).\r\n")).toEqual([
      "u@h: Permission denied (publickey).",
    ]);
    expect(meaningfulLines("No ED25519 host key is known for [h]:22 and you have requested strict checking.\nHost key verification failed.\n")).toEqual([
      "No ED25519 host key is known for [h]:22 and you have requested strict checking.",
      "Host key verification failed.",
    ]);
    expect(meaningfulLines("a\nb\nc\n\n")).toEqual(["b", "c"]);
    expect(meaningfulLines("Warning: Permanently added 'x'\n")).toEqual(["Warning: Permanently added 'x'"]);
    expect(meaningfulLines("")).toEqual([]);
  });
});
