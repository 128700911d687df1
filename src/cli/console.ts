import { parseArgs } from "node:util";
import { connect } from "./connection.js";
import { VirDomainConsoleFlags } from "../gen/libvirt_domain.js";
import { exitWithoutTerminal, rawTerminal, terminalGone, trapSignals } from "./terminal.js";
import { UsageError } from "./usage.js";

export const CONSOLE_USAGE = `usage: libvirt-remote console [-c URI] DOMAIN [--devname NAME] [--force] [--safe]

Connects the terminal to a guest's console, as virsh console does: raw
terminal, Ctrl-] leaves. --force takes the console over from another
client; --safe refuses a console that cannot be made safe. Without a
terminal, stdin is sent as it comes and its end leaves.`;

/** Ctrl-], virsh's default escape character. */
const ESCAPE = 0x1d;

export async function consoleMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      connect: { type: "string", short: "c" },
      devname: { type: "string" },
      force: { type: "boolean", default: false },
      safe: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${CONSOLE_USAGE}\n`);
    return 0;
  }
  const [name] = positionals;
  if (name === undefined || positionals.length !== 1) throw new UsageError(CONSOLE_USAGE);
  const client = await connect(values.connect);
  try {
    const { dom } = await client.domainLookupByName({ name });
    const flags = (values.force ? VirDomainConsoleFlags.VIR_DOMAIN_CONSOLE_FORCE : 0) | (values.safe ? VirDomainConsoleFlags.VIR_DOMAIN_CONSOLE_SAFE : 0);
    const stream = await client.domainOpenConsole({ dom, dev_name: values.devname ?? null, flags });
    process.stdout.write(`Connected to domain '${dom.name}'\nEscape character is ^] (Ctrl + ])\n`);
    const untrap = trapSignals();
    const restore = rawTerminal();
    let detach = (): void => {};
    try {
      await new Promise<void>((resolve, reject) => {
        const leave = (): void => {
          process.stdin.off("data", onInput);
          process.stdin.pause();
          // Leaving finishes the stream, as virsh does on its escape character.
          stream.end(() => resolve());
        };
        const onInput = (chunk: Buffer): void => {
          const at = chunk.indexOf(ESCAPE);
          if (at < 0) {
            stream.write(chunk);
            return;
          }
          if (at > 0) stream.write(chunk.subarray(0, at));
          leave();
        };
        process.stdin.on("data", onInput);
        process.stdin.once("end", leave);
        // The terminal hung up (EIO): virsh's console ends with an error then.
        process.stdin.once("error", reject);
        stream.pipe(process.stdout, { end: false });
        // The daemon ended it: the guest went away, or another client took the console with --force.
        stream.once("end", () => resolve());
        stream.once("error", reject);
        detach = () => {
          process.stdin.off("data", onInput);
          process.stdin.off("end", leave);
          process.stdin.off("error", reject);
          stream.unpipe(process.stdout);
        };
      });
    } catch (e) {
      // A hung-up terminal (EIO on its input) ends the console with exit code 1 below; nobody
      // is left to read a message, and writing one would meet the dead terminal.
      if (!terminalGone()) throw e;
    } finally {
      detach();
      restore();
      untrap();
      process.stdin.pause();
    }
    if (!terminalGone()) process.stdout.write("\n");
  } finally {
    await client.close();
  }
  // Nobody is left to read a message; virsh's console fails then too (its input does).
  if (terminalGone()) exitWithoutTerminal(1);
  return 0;
}
