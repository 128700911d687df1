import type { ConnectionUri } from "../uri.js";
import { passEnv, spawnCommand, COMMON_ENV, SSH_ENV, type CommandDuplex } from "./child.js";
import type { TransportOptions } from "./options.js";
import { uriFlag } from "./params.js";
import { sshCommandFor } from "./ssh-command.js";
import type { Transport } from "./transport.js";

/**
 * `+ssh`: the system ssh binary (or `command=`) with the remote command on
 * its command line and the connection on its stdin/stdout, so that the
 * user's ~/.ssh/config, agent, ProxyJump and known_hosts apply as they do
 * for virsh.
 */
export class SshTransport implements Transport {
  readonly description: string;
  /** ssh may ask for a password, a passphrase or about the host key on the terminal, unless `no_tty=1` (BatchMode). */
  readonly mayPrompt: boolean;
  /** The program and arguments run, exactly as libvirt builds them. */
  readonly file: string;
  readonly args: readonly string[];
  private readonly env: Record<string, string>;

  constructor(uri: ConnectionUri, options: TransportOptions, env: NodeJS.ProcessEnv = process.env) {
    // Built now, so that a bad URI parameter fails connect() before anything runs.
    const { file, args } = sshCommandFor(uri, options.readOnly, env);
    this.file = file;
    this.args = args;
    this.mayPrompt = !uriFlag(uri, "no_tty");
    const host = uri.host ?? "localhost";
    this.description = `ssh:${uri.user === null ? "" : `${uri.user}@`}${host.includes(":") ? `[${host}]` : host}${uri.port === null ? "" : `:${uri.port}`}`;
    this.env = passEnv([...COMMON_ENV, ...SSH_ENV], env);
  }

  connect(signal?: AbortSignal): Promise<CommandDuplex> {
    return spawnCommand(this.file, this.args, { transport: "ssh", env: this.env, signal });
  }
}
