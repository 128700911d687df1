// virsh console (tools/virsh-console.c): the terminal connected to a
// guest's console, raw, Ctrl-] leaves. --force takes the console over from
// another client; --safe refuses a console that cannot be made safe.
// As virsh's cmdRunConsole: a shut-off domain, then no terminal on stdin,
// are refused before the console is opened.

import { isatty } from "node:tty";
import { VirDomainConsoleFlags, VirDomainState } from "../gen/libvirt_domain.js";
import { exitWithoutTerminal, rawTerminal, terminalGone, trapSignals } from "./terminal.js";
import { lookupDomain, step } from "./virsh/util.js";
import { CommandFailed, type VirshCommand } from "./vsh.js";

/** Ctrl-], virsh's default escape character. */
const ESCAPE = 0x1d;

const consoleCommand: VirshCommand = {
  names: ["console"],
  options: [
    { name: "domain", type: "data", required: true },
    { name: "devname", type: "string" },
    { name: "force", type: "bool" },
    { name: "safe", type: "bool" },
  ],
  async run(ctx, opts) {
    const client = await ctx.client();
    const dom = await lookupDomain(client, opts.string("domain")!);
    const { state } = await step("Unable to get domain status", () => client.domainGetState({ dom, flags: 0 }));
    if (state === VirDomainState.VIR_DOMAIN_SHUTOFF) throw new CommandFailed(["The domain is not running"]);
    if (!isatty(0)) throw new CommandFailed(["Cannot run interactive console without a controlling TTY"]);
    const flags = (opts.bool("force") ? VirDomainConsoleFlags.VIR_DOMAIN_CONSOLE_FORCE : 0) | (opts.bool("safe") ? VirDomainConsoleFlags.VIR_DOMAIN_CONSOLE_SAFE : 0);
    const stream = await client.domainOpenConsole({ dom, dev_name: opts.string("devname") ?? null, flags });
    ctx.printExtra(`Connected to domain '${dom.name}'\nEscape character is ^] (Ctrl + ])\n`);
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
    // Nobody is left to read a message; virsh's console fails then too (its input does).
    if (terminalGone()) exitWithoutTerminal(1);
  },
};

export const commands: readonly VirshCommand[] = [consoleCommand];
