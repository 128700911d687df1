import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../protocol/fetch.js";

const cli = join(repoRoot(), "dist/src/cli/main.js");

/** A running event printer whose stdout lines are collected as they come. */
export class Watcher {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private partial = "";

  constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (this.partial + chunk).split("\n");
      this.partial = parts.pop()!;
      this.lines.push(...parts);
    });
  }

  /** Waits until a line containing `text` has been printed at index `after` or later. */
  async waitFor(text: string, timeoutMs = 20_000, after = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.some((l, i) => i >= after && l.includes(text))) {
      if (Date.now() > deadline) throw new Error(`no line with ${JSON.stringify(text)}; got:\n${this.lines.join("\n")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Where the last line containing `text` so far is. */
  lastIndexOf(text: string): number {
    return this.lines.findLastIndex((l) => l.includes(text));
  }

  /** The event lines from `start` on, timestamps removed. */
  eventsFrom(start: number): string[] {
    // "2026-11-21 12:16:20.238+0000: " is each client's own time of receipt.
    return this.lines.slice(start).map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: /, ""));
  }

  stop(): void {
    this.child.kill("SIGTERM");
  }
}

/**
 * Runs virsh's event command and ours side by side on one daemon, does
 * `act`, and returns both outputs from the first marker event on: each
 * printer must have seen the marker (so both were listening) and the end.
 */
export async function sideBySide(
  uri: string,
  virshCommand: string,
  family: string,
  which: string[],
  marker: () => Promise<string>,
  act: () => Promise<void>,
): Promise<{ ours: string[]; theirs: string[] }> {
  const theirs = new Watcher("stdbuf", ["-oL", "virsh", "-c", uri, virshCommand, ...which, "--loop", "--timestamp"]);
  const ours = new Watcher("node", [cli, "events", "-c", uri, "--family", family, ...which, "--loop", "--timestamp"]);
  try {
    // Repeat a marker event until both show it: then both are registered,
    // and both outputs are compared from that marker's last appearance on.
    // A marker's text may repeat (the same network defined and undefined each time), so each wait
    // looks only at lines printed after the marker began: an earlier copy must not end it.
    let from: [number, number] | null = null;
    for (let i = 0; from === null; i++) {
      const seen = [theirs.lines.length, ours.lines.length] as const;
      const text = await marker();
      try {
        await Promise.all([theirs.waitFor(text, 1000, seen[0]), ours.waitFor(text, 1000, seen[1])]);
        from = [theirs.lastIndexOf(text), ours.lastIndexOf(text)];
      } catch (e) {
        if (i > 20) throw e;
      }
    }
    await act();
    const seen = [theirs.lines.length, ours.lines.length] as const;
    const end = await marker();
    await Promise.all([theirs.waitFor(end, 20_000, seen[0]), ours.waitFor(end, 20_000, seen[1])]);
    return { ours: ours.eventsFrom(from[1]), theirs: theirs.eventsFrom(from[0]) };
  } finally {
    theirs.stop();
    ours.stop();
  }
}

