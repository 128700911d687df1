// The virsh-named commands as virsh runs them: one command from argv words,
// or a one-line script of `;`-separated commands in one connection. Words
// that do not parse throw a UsageError before anything runs (main.ts prints it).

import type { Client } from "../../client/client.js";
import { lookupIn } from "../command.js";
import type { GlobalOptions } from "../globals.js";
import { chooseUri, connect } from "../connection.js";
import { argvTokens, parseCommands, stringTokens } from "../parse.js";
import { runCommands } from "../vsh.js";
import { VIRSH_COMMANDS } from "./table.js";

/** `script` is a one-line script (virsh given one word), else `words` are one command's. */
export async function virshMain(input: { script: string } | { words: string[] }, globals: GlobalOptions): Promise<number> {
  const err = (line: string): void => void process.stderr.write(`error: ${line}\n`);
  const parsed = await parseCommands("script" in input ? stringTokens(input.script) : argvTokens(input.words), lookupIn(VIRSH_COMMANDS));
  let client: Client | null = null;
  // With -c, virsh connects before running anything and stops if it cannot; otherwise on first need.
  if (globals.connect !== undefined) {
    try {
      client = await connect();
    } catch (e) {
      err("failed to connect to the hypervisor");
      err(e instanceof Error ? e.message : String(e));
      return 1;
    }
  }
  const opened = client;
  const result = await runCommands(parsed, { globals, open: () => (opened !== null ? Promise.resolve(opened) : connect(chooseUri(globals))) });
  await (result.client ?? opened)?.close();
  return result.ok ? 0 : 1;
}
