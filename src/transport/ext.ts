import { UriError } from "../errors.js";
import { uriParam, type ConnectionUri } from "../uri.js";
import { COMMON_ENV, passEnv, spawnCommand, type CommandDuplex } from "./child.js";
import type { Transport } from "./transport.js";

/**
 * `+ext`: `command=` run locally with no arguments, the RPC stream on its
 * stdin/stdout, as libvirt's virNetSocketNewConnectExternal runs it (with
 * only the common environment). libvirt does not count such a connection
 * as secure, since it cannot know what the command does.
 */
export class ExtTransport implements Transport {
  readonly description: string;
  /** The command is the user's: it may ask a person anything (an ssh of its own). */
  readonly mayPrompt = true;
  readonly command: string;
  private readonly env: Record<string, string>;

  constructor(uri: ConnectionUri, env: NodeJS.ProcessEnv = process.env) {
    const command = uriParam(uri, "command");
    if (command === undefined) throw new UriError(`${JSON.stringify(uri.uri)}: for 'ext' transport, command is required`);
    this.command = command;
    this.description = `ext:${command}`;
    this.env = passEnv(COMMON_ENV, env);
  }

  connect(signal?: AbortSignal): Promise<CommandDuplex> {
    return spawnCommand(this.command, [], { transport: "ext", env: this.env, signal });
  }
}
