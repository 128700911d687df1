import { readFile, writeFile } from "node:fs/promises";
import type { Server } from "node:net";
import { parseArgs } from "node:util";
import { readFixture, writeFixture } from "../fixtures/format.js";
import { importCapture } from "../fixtures/pcap.js";
import { listen, recordingProxy, replayServer } from "../fixtures/servers.js";
import { UsageError } from "./usage.js";

export const RECORD_USAGE = `usage: libvirt-remote record --listen ADDR --upstream URI --out FILE [--once]

A recording proxy: clients (virsh, libvirt-python, this library) connect to
ADDR (host:port, or a Unix socket path) instead of the daemon; every frame
both ways is passed on to URI's daemon and written to FILE (with -N before
the extension for the N-th connection after the first) when the connection
ends. --once stops after the first connection.`;

export const REPLAY_USAGE = `usage: libvirt-remote replay --listen ADDR FILE [--once]

Serves a recorded session to any client on ADDR (host:port, or a Unix
socket path): requests are matched against the fixture, the daemon's
frames are sent back with the client's serial numbers.`;

function untilStopped(server: Server, once: boolean, done: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => void server.close(() => resolve());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    if (once) void done.then(stop);
  });
}

export async function recordMain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      listen: { type: "string" },
      upstream: { type: "string" },
      out: { type: "string" },
      once: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${RECORD_USAGE}\n`);
    return 0;
  }
  if (values.listen === undefined || values.upstream === undefined || values.out === undefined) throw new UsageError(RECORD_USAGE);
  const out = values.out;
  let n = 0;
  let first!: () => void;
  const firstDone = new Promise<void>((r) => (first = r));
  const server = recordingProxy(values.upstream, (recorder) => {
    const file = n++ === 0 ? out : out.replace(/(\.[^./]*)?$/, `-${n}$1`);
    void writeFile(file, recorder.toString()).then(() => {
      process.stderr.write(`record: ${recorder.frames.length} frames -> ${file}\n`);
      first();
    });
  });
  await listen(server, values.listen);
  process.stderr.write(`record: listening on ${values.listen}, forwarding to ${values.upstream}\n`);
  await untilStopped(server, values.once, firstDone);
  return 0;
}

export async function replayMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      listen: { type: "string" },
      once: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${REPLAY_USAGE}\n`);
    return 0;
  }
  const [file] = positionals;
  if (values.listen === undefined || file === undefined) throw new UsageError(REPLAY_USAGE);
  const fixture = readFixture(await readFile(file, "utf8"), file);
  let first!: () => void;
  const firstDone = new Promise<void>((r) => (first = r));
  const server = replayServer(fixture, (session) => {
    for (const m of session.mismatches) process.stderr.write(`replay: ${m}\n`);
    first();
  });
  await listen(server, values.listen);
  process.stderr.write(`replay: serving ${file} (${fixture.frames.length} frames) on ${values.listen}\n`);
  await untilStopped(server, values.once, firstDone);
  return 0;
}

export const IMPORT_USAGE = `usage: libvirt-remote import-pcap FILE --out FIXTURE [--port N] [--uri URI]

Turns a pcap or pcapng capture of a libvirt TCP session (as tcpdump -w or
tshark -w write it) into a fixture: the first connection to --port
(default 16509) is reassembled both ways and cut into frames. --uri is
written into the fixture's header for replay.`;

export async function importMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      port: { type: "string" },
      uri: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  const [file] = positionals;
  if (file === undefined || values.out === undefined) throw new UsageError(IMPORT_USAGE);
  const fixture = importCapture(await readFile(file), {
    ...(values.port === undefined ? {} : { port: Number(values.port) }),
    ...(values.uri === undefined ? {} : { uri: values.uri }),
  });
  await writeFile(values.out, writeFixture(fixture));
  process.stderr.write(`import-pcap: ${fixture.frames.length} frames -> ${values.out}\n`);
  return 0;
}
