import type { ReadStream } from "node:tty";
import { AbortError } from "../rpc/errors.js";
import type { CredentialCallback, CredentialRequest } from "./credentials.js";
import { AuthError } from "./errors.js";

export interface TerminalPromptOptions {
  /** Where answers are typed (default: process.stdin). */
  input?: NodeJS.ReadableStream & Partial<Pick<ReadStream, "isTTY" | "setRawMode">>;
  /** Where prompts go (default: process.stderr, so a command's stdout stays its output). */
  output?: NodeJS.WritableStream;
}

/**
 * Asks on the terminal, as virsh's default callback does: each request's
 * prompt followed by ": ", names echoed, passwords and no-echo prompts
 * not echoed at all. An empty answer counts as none (virsh's rule). With
 * no terminal it fails at once with one line saying where credentials can
 * come from instead, rather than waiting on a pipe.
 */
export function terminalPrompt(options: TerminalPromptOptions = {}): CredentialCallback {
  return async (requests) => {
    const input = options.input ?? process.stdin;
    const output = options.output ?? process.stderr;
    if (input.isTTY !== true || typeof input.setRawMode !== "function") {
      const kinds = [...new Set(requests.map((r) => r.type))].join(", ");
      throw new AuthError("ERR_AUTH_CREDENTIALS", `authentication needs ${kinds}, and there is no terminal to ask on: put them in an auth.conf (LIBVIRT_AUTH_FILE or ?authfile=)`);
    }
    const answers: (string | undefined)[] = [];
    const tty = input as NodeJS.ReadableStream & Pick<ReadStream, "setRawMode">;
    // Echo goes off before a prompt is shown, never after: what is typed once the prompt is visible is never echoed by the terminal.
    tty.setRawMode(true);
    try {
      for (const r of requests) {
        if (r.type === "external") {
          answers.push(undefined);
          continue;
        }
        output.write(`${r.challenge !== undefined && r.type === "realm" ? `${r.challenge}\n` : ""}${r.prompt}: `);
        const line = await readLine(tty, output, echoes(r));
        answers.push(line === "" ? undefined : line);
      }
    } finally {
      tty.setRawMode(false);
      tty.pause();
    }
    return answers;
  };
}

function echoes(r: CredentialRequest): boolean {
  return r.type !== "passphrase" && r.type !== "noechoprompt";
}

/** One line, the terminal in raw mode: it echoes nothing, so only what `echo` allows is shown. */
function readLine(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, echo: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let line = "";
    input.resume();
    const done = (err: Error | null): void => {
      input.removeListener("data", onData);
      output.write("\r\n");
      if (err === null) resolve(line);
      else reject(err);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of typeof chunk === "string" ? chunk : chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done(null);
        if (ch === "\u0003") return done(new AbortError("credential prompt interrupted"));
        if (ch === "\u0004") return done(null); // EOF: what was typed so far, as fgets gives it
        if (ch === "\u007f" || ch === "\b") {
          if (line.length > 0) {
            line = [...line].slice(0, -1).join("");
            if (echo) output.write("\b \b");
          }
          continue;
        }
        line += ch;
        if (echo) output.write(ch);
      }
    };
    input.on("data", onData);
  });
}
