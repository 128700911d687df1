import { writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { constants } from "node:os";
import { readFixture, writeFixture } from "../recording/format.js";
import { importCapture } from "../recording/pcap.js";
import { listen, recordingProxy, replayServer, type SessionServer } from "../recording/servers.js";
import { HELP, type Opts, type OwnCommand } from "./command.js";
import { intOption } from "./usage.js";

export const RECORD_USAGE = `usage: libvirt-remote record --listen ADDR --upstream URI --out FILE [--once] [--keep-secrets]

A recording proxy: clients (virsh, libvirt-python, this library) connect to
ADDR (host:port, or a Unix socket path) instead of the daemon; every frame
both ways is passed on to URI's daemon and written to FILE (with -N before
the extension for the N-th connection after the first) when the connection
ends. --once stops after the first connection that recorded anything.
Secrets (SASL data, secret values, guest passwords) are emptied in the
file unless --keep-secrets.
A client that sends what is not libvirt RPC is closed, with a note on
stderr. Ctrl-C or SIGTERM closes every connection, writes its recording and
exits; a second one exits at once (code 130 or 143), after those writes.`;

export const REPLAY_USAGE = `usage: libvirt-remote replay --listen ADDR FILE [--once]

Serves a recorded session to any client on ADDR (host:port, or a Unix
socket path): requests are matched against the fixture, the daemon's
frames are sent back with the client's serial numbers, and keepalive PINGs
are answered. A request the fixture cannot answer gets an error reply and
a note on stderr at once. --once stops after the first session. A client
that sends what is not libvirt RPC is closed, with a note on stderr.`;

/**
 * Serves until `done` (for --once) or a signal. The first SIGINT or SIGTERM
 * stops accepting and ends every session: a recording proxy saves each one
 * synchronously as it ends, so everything recorded is on disk before this
 * resolves. A second signal, should anything still hang, exits at once with
 * 128 + its number (130 for SIGINT, as a shell reports it) — after those saves.
 * A signal that comes once the process is exiting changes nothing: the exit
 * status is then the clean one. Never a death by signal.
 */
function untilStopped(server: SessionServer, done: Promise<void> | null, name: string): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const finish = (): void => {
      if (stopping) return;
      stopping = true;
      server.close(() => resolve());
      server.endSessions();
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (!stopping) return finish();
      process.stderr.write(`${name}: ${signal} again, exiting now\n`);
      process.exit(128 + constants.signals[signal]);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    exitKeepingSignalHandlers();
    void done?.then(finish);
  });
}

/**
 * Node's own exit, once the event loop is empty, first closes its signal
 * handles, which puts back the default action: a signal in the milliseconds
 * of teardown that follow killed the process (issue 27: a second Ctrl-C
 * right after the first). process.exit() keeps libuv's handlers
 * installed up to the exit itself, so such a signal is simply ignored.
 */
function exitKeepingSignalHandlers(): void {
  process.once("beforeExit", () => process.exit());
}

/** One-line notes about single connections go to stderr; the server goes on. */
const toStderr = (line: string): void => void process.stderr.write(`${line}\n`);

const record: OwnCommand = {
  names: ["record"],
  options: [
    { name: "listen", type: "string", required: true, named: true },
    { name: "upstream", type: "string", required: true, named: true },
    { name: "out", type: "string", required: true, named: true },
    { name: "once", type: "bool" },
    { name: "keep-secrets", type: "bool" },
    HELP,
  ],
  help: RECORD_USAGE,
  run: (_ctx, opts) => recordSessions(opts),
};

async function recordSessions(opts: Opts): Promise<void> {
  const [listenAt, upstream, out] = [opts.string("listen")!, opts.string("upstream")!, opts.string("out")!];
  let n = 0;
  let first!: () => void;
  const firstDone = new Promise<void>((r) => (first = r));
  // Saved synchronously, so that a session ended by a signal is on disk before the exit.
  const server = recordingProxy(
    upstream,
    (recorder) => {
      // A stray client (a port scan, an HTTP request) is not a session: no file, and --once waits on.
      if (recorder.frames.length === 0) return;
      const file = n++ === 0 ? out : out.replace(/(\.[^./]*)?$/, `-${n}$1`);
      writeFileSync(file, recorder.toString());
      process.stderr.write(`record: ${recorder.frames.length} frames -> ${file}\n`);
      first();
    },
    toStderr,
    { redactSecrets: !opts.bool("keep-secrets") },
  );
  // Signal handlers first: whoever reads "listening" may press Ctrl-C at once.
  const stopped = untilStopped(server, opts.bool("once") ? firstDone : null, "record");
  await listen(server, listenAt);
  process.stderr.write(`record: listening on ${listenAt}, forwarding to ${upstream}\n`);
  await stopped;
}

const replay: OwnCommand = {
  names: ["replay"],
  options: [{ name: "file", type: "data", required: true }, { name: "listen", type: "string", required: true, named: true }, { name: "once", type: "bool" }, HELP],
  help: REPLAY_USAGE,
  run: (_ctx, opts) => replaySessions(opts),
};

async function replaySessions(opts: Opts): Promise<void> {
  const [file, listenAt] = [opts.string("file")!, opts.string("listen")!];
  const fixture = readFixture(await readFile(file, "utf8"), file);
  let first!: () => void;
  const firstDone = new Promise<void>((r) => (first = r));
  const server = replayServer(
    fixture,
    (session) => {
      // A client that sent garbage was no session: --once waits for a real one.
      if (session.failure === null) first();
    },
    toStderr,
  );
  const stopped = untilStopped(server, opts.bool("once") ? firstDone : null, "replay");
  await listen(server, listenAt);
  process.stderr.write(`replay: serving ${file} (${fixture.frames.length} frames) on ${listenAt}\n`);
  await stopped;
}

export const IMPORT_USAGE = `usage: libvirt-remote import-pcap FILE --out FIXTURE [--port N] [--uri URI] [--keep-secrets]

Turns a pcap or pcapng capture of a libvirt TCP session (as tcpdump -w or
tshark -w write it) into a fixture: the first connection to --port
(default 16509) is reassembled both ways and cut into frames. --uri is
written into the fixture's header for replay. Secrets are emptied as the
recorder empties them, unless --keep-secrets.`;

const importPcap: OwnCommand = {
  names: ["import-pcap"],
  options: [
    { name: "file", type: "data", required: true },
    { name: "out", type: "string", required: true, named: true },
    { name: "port", type: "string", named: true },
    { name: "uri", type: "string", named: true },
    { name: "keep-secrets", type: "bool" },
    HELP,
  ],
  help: IMPORT_USAGE,
  run: (_ctx, opts) => importPcapFile(opts),
};

async function importPcapFile(opts: Opts): Promise<void> {
  const [file, out, portText, uri] = [opts.string("file")!, opts.string("out")!, opts.string("port"), opts.string("uri")];
  const port = portText === undefined ? {} : { port: intOption("port", portText, 1, 65535) };
  const fixture = importCapture(await readFile(file), {
    ...port,
    ...(uri === undefined ? {} : { uri }),
    redactSecrets: !opts.bool("keep-secrets"),
  });
  await writeFile(out, writeFixture(fixture));
  process.stderr.write(`import-pcap: ${fixture.frames.length} frames -> ${out}\n`);
}

export const commands: readonly OwnCommand[] = [record, replay, importPcap];
