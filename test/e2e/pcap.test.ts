import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../../fixtures/scenarios.js";
import { connect } from "../../src/client/client.js";
import { CaptureError } from "../../src/recording/errors.js";
import { importCapture } from "../../src/recording/pcap.js";
import { ReplayTransport } from "../../src/recording/replay.js";
import { startDaemon } from "../../src/testing/daemon.js";
import { sharedDaemon } from "./daemon.js";
import { mustSkip } from "./prerequisites.js";

const skip = mustSkip("the tcpdump capture suite", {
  "libvirtd": sharedDaemon() !== null,
  "/usr/bin/tcpdump": existsSync("/usr/bin/tcpdump"),
  "root (to capture on the loopback interface)": process.getuid?.() === 0,
});

describe.skipIf(skip)("a tcpdump capture of a live session", () => {
  it("imports to a fixture that replays to the same results", async () => {
    const d = await startDaemon();
    const dir = await mkdtemp(join(tmpdir(), "lr-pcap-"));
    const file = join(dir, "session.pcap");
    try {
      // --immediate-mode and -U: every packet is read and written at once, so stopping tcpdump loses none.
      const dump = spawn("tcpdump", ["-i", "lo", "--immediate-mode", "-U", "-n", "-w", file, `tcp port ${d.tcpPort}`], { stdio: ["ignore", "ignore", "pipe"] });
      let ready = "";
      await new Promise<void>((resolve, reject) => {
        dump.stderr.setEncoding("utf8").on("data", (c: string) => {
          ready += c;
          if (ready.includes("listening on")) resolve();
        });
        dump.once("exit", () => reject(new Error(`tcpdump exited: ${ready}`)));
      });
      const uri = "test+tcp://127.0.0.1:16509/default";
      const live = await connect(uri, { transport: new (await import("../../src/transport/socket.js")).TcpTransport("127.0.0.1", d.tcpPort) });
      const scenario = SCENARIOS["test-driver-calls"]!;
      const liveResult = JSON.parse(JSON.stringify(await scenario.run(live, { live: true })));
      await live.close();
      await new Promise((r) => setTimeout(r, 200));
      dump.kill("SIGINT");
      await new Promise((r) => dump.once("exit", r));

      const fixture = importCapture(await readFile(file), { port: d.tcpPort, uri });
      expect(fixture.frames.filter((f) => f.dir === "send").map((f) => f.procedure).slice(0, 2)).toEqual([
        "REMOTE_PROC_AUTH_LIST",
        "REMOTE_PROC_CONNECT_OPEN",
      ]);
      const replay = new ReplayTransport(fixture);
      const client = await connect(uri, { transport: replay });
      const replayed = JSON.parse(JSON.stringify(await scenario.run(client, { live: false })));
      await client.close();
      expect(replayed).toEqual(liveResult);
      replay.assertDone();
      console.log(`pcap: ${fixture.frames.length} frames imported from tcpdump's capture, replayed to the same results`);
    } finally {
      await d.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Issue 13, defect 12: tcpdump -s cuts packets; the import must say so instead of dropping frames.
  it("a capture cut by tcpdump's snaplen is refused with ERR_CAPTURE_TRUNCATED", async () => {
    const d = await startDaemon();
    const dir = await mkdtemp(join(tmpdir(), "lr-pcap-"));
    const file = join(dir, "session.pcap");
    try {
      const dump = spawn("tcpdump", ["-i", "lo", "-s", "96", "--immediate-mode", "-U", "-n", "-w", file, `tcp port ${d.tcpPort}`], { stdio: ["ignore", "ignore", "pipe"] });
      let ready = "";
      await new Promise<void>((resolve, reject) => {
        dump.stderr.setEncoding("utf8").on("data", (c: string) => {
          ready += c;
          if (ready.includes("listening on")) resolve();
        });
        dump.once("exit", () => reject(new Error(`tcpdump exited: ${ready}`)));
      });
      const uri = "test+tcp://127.0.0.1:16509/default";
      const live = await connect(uri, { transport: new (await import("../../src/transport/socket.js")).TcpTransport("127.0.0.1", d.tcpPort) });
      // A reply far longer than 96 bytes.
      await live.connectGetCapabilities();
      await live.close();
      await new Promise((r) => setTimeout(r, 200));
      dump.kill("SIGINT");
      await new Promise((r) => dump.once("exit", r));
      const err = await Promise.resolve().then(async () => importCapture(await readFile(file), { port: d.tcpPort, uri })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaptureError);
      expect((err as CaptureError).code).toBe("ERR_CAPTURE_TRUNCATED");
      expect((err as CaptureError).message).toMatch(/^packet \d+ \(127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+\) was cut to 96 of \d+ bytes by the capture's snaplen: capture again with tcpdump -s 0 \(or tshark without -s\)$/);
    } finally {
      await d.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
