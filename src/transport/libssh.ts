import { existsSync, readFileSync } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import type { Socket } from "node:net";
import { dirname, join } from "node:path";
import type { AnyAuthMethod, AuthenticationType, Client as SshClient, ClientChannel, ParsedKey } from "ssh2";
import { answerCredentials, type CredentialAnswers, type CredentialRequest } from "./credentials.js";
import { AbortError, TransportError, UriError } from "../errors.js";
import { uriParam, type ConnectionUri } from "../uri.js";
import { CommandDuplex, type ExitStatus } from "./child.js";
import { checkHostKey, knownHostsLine, md5Fingerprint, parseKnownHosts, sha256Fingerprint } from "./known-hosts.js";
import type { TransportOptions } from "./options.js";
import { openSocket } from "./socket.js";
import { currentEuid, remoteCommandFor } from "./ssh-command.js";
import type { Transport } from "./transport.js";

export type LibsshFlavour = "libssh" | "libssh2";
export type HostKeyPolicy = "normal" | "auto" | "ignore";
export type SshAuthMethod = "agent" | "privkey" | "password" | "keyboard-interactive";

/** What libvirt's virNetClientNewLibSSH2/Libssh derive from the URI. */
export interface LibsshSettings {
  host: string;
  port: number;
  username: string;
  /** `keyfile=`, else the first of libvirt's default keys that exists. */
  keyfile: string | undefined;
  knownHosts: string;
  hostKeyPolicy: HostKeyPolicy;
  methods: SshAuthMethod[];
  command: string;
}

/**
 * ssh2, loaded on first use: it costs tens of milliseconds to load, which
 * every program that never uses in-process SSH would pay at start.
 * It is CommonJS, so Node's ESM loader gives its exports as the default.
 */
let loaded: Promise<typeof import("ssh2")> | null = null;
const ssh2 = (): Promise<typeof import("ssh2")> => (loaded ??= import("ssh2").then((m) => (m as unknown as { default: typeof import("ssh2") }).default));

/** The keys libvirt looks for in ~/.ssh, in its order, when there is no `keyfile=`. */
export const DEFAULT_KEYS = ["identity", "id_dsa", "id_ecdsa", "id_ed25519", "id_rsa"] as const;

const METHODS: readonly SshAuthMethod[] = ["agent", "privkey", "password", "keyboard-interactive"];

export function libsshSettings(uri: ConnectionUri, readOnly: boolean, env: NodeJS.ProcessEnv = process.env, euid = currentEuid()): LibsshSettings {
  const home = env["HOME"] !== undefined && env["HOME"] !== "" ? env["HOME"] : homedir();
  const configHome = env["XDG_CONFIG_HOME"] !== undefined && env["XDG_CONFIG_HOME"] !== "" ? env["XDG_CONFIG_HOME"] : join(home, ".config");
  const knownHosts = uriParam(uri, "known_hosts") ?? join(configHome, "libvirt", "known_hosts");
  const keyfile = uriParam(uri, "keyfile") ?? DEFAULT_KEYS.map((k) => join(home, ".ssh", k)).find((p) => existsSync(p));
  const sshauth = uriParam(uri, "sshauth") ?? (keyfile !== undefined ? "agent,privkey,password,keyboard-interactive" : "agent,password,keyboard-interactive");
  const policy = (uriParam(uri, "known_hosts_verify") ?? "normal").toLowerCase();
  if (policy !== "normal" && policy !== "auto" && policy !== "ignore") {
    throw new UriError(`Invalid host key verification method: '${uriParam(uri, "known_hosts_verify")}' (expected normal, auto or ignore)`);
  }
  const command = remoteCommandFor(uri, readOnly, env, euid);
  // libvirt splits on commas and keeps empty items, which are then invalid.
  const methods = sshauth.split(",").map((m): SshAuthMethod => {
    const name = m.toLowerCase();
    if (!(METHODS as readonly string[]).includes(name)) {
      throw new UriError(`Invalid authentication method: '${m}' (sshauth= takes ${METHODS.join(", ")})`);
    }
    return name as SshAuthMethod;
  });
  if (methods.includes("privkey") && keyfile === undefined) {
    throw new UriError("sshauth=privkey needs a key: give keyfile= or create one of ~/.ssh/" + DEFAULT_KEYS.join(", ~/.ssh/"));
  }
  return {
    host: uri.host ?? "localhost",
    port: uri.port === null || uri.port === 0 ? 22 : uri.port,
    username: uri.user ?? "root",
    keyfile,
    knownHosts,
    hostKeyPolicy: policy,
    methods,
    command,
  };
}

/** The server's name for each of libvirt's methods. */
const SERVER_METHOD: Record<SshAuthMethod, AuthenticationType> = {
  agent: "publickey",
  privkey: "publickey",
  password: "password",
  "keyboard-interactive": "keyboard-interactive",
};

/** After kill(), how long the peer has to close the SSH connection before its socket is destroyed. */
const KILL_GRACE_MS = 1000;

/** Password and keyboard-interactive are asked again after a rejection, this many times in all. */
const PROMPT_TRIES = 3;

/**
 * `+libssh2` and `+libssh` in-process, with the pure-JavaScript ssh2
 * package: libvirt's host key policy and authentication order, then the
 * same remote command as `+ssh` on an exec channel, whose bytes are the
 * connection. The SSH connection ends when the channel closes.
 */
export class LibsshTransport implements Transport {
  readonly description: string;
  /** Its credentials callback, when given, may ask a person (password, passphrase, host key). */
  readonly mayPrompt: boolean;
  readonly settings: LibsshSettings;
  private readonly auth: CredentialAnswers | undefined;
  private readonly agentSocket: string | undefined;

  constructor(
    uri: ConnectionUri,
    options: TransportOptions,
    readonly flavour: LibsshFlavour = "libssh2",
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.settings = libsshSettings(uri, options.readOnly, env);
    this.auth = options.auth;
    this.mayPrompt = options.auth?.callback !== undefined;
    const agent = env["SSH_AUTH_SOCK"];
    this.agentSocket = agent === undefined || agent === "" ? undefined : agent;
    const { host, port, username } = this.settings;
    this.description = `${flavour}:${username}@${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  async connect(signal?: AbortSignal): Promise<CommandDuplex> {
    const { host, port } = this.settings;
    const { Client } = await ssh2();
    const socket = await openSocket({ host, port }, this.description, signal);
    socket.setNoDelay(true);
    return new Promise((resolve, reject) => {
      const client = new Client();
      const session = new SetupSession(this);
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        client.end();
        socket.destroy();
        reject(err);
      };
      const onAbort = (): void => fail(new AbortError(`connecting to ${this.description} was aborted`, { cause: signal?.reason }));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      session.onFatal = fail;

      client.on("error", (err: Error & { level?: string }) => {
        if (settled) return;
        if (session.absorb(err)) return;
        fail(session.hostKeyError ?? this.error(`SSH connection to ${host}:${port} failed: ${err.message}`, err));
      });
      client.once("close", () => fail(session.hostKeyError ?? this.error(`the SSH connection to ${host}:${port} closed during setup`)));
      // After the key exchange, whose signature proves the host key: only now is an accepted key saved.
      let saved: Promise<void> = Promise.resolve();
      client.once("handshake", () => {
        saved = session.saveAcceptedKey();
        saved.catch(fail);
      });
      client.once("ready", () => {
        void saved.then(() => runCommand(), () => undefined);
      });
      const runCommand = (): void => {
        client.exec(this.settings.command, (err, channel) => {
          if (settled) {
            channel?.close();
            return;
          }
          if (err !== undefined && err !== null) {
            fail(this.error(`failed to execute command '${this.settings.command}': ${err.message}`, err));
            return;
          }
          settled = true;
          signal?.removeEventListener("abort", onAbort);
          resolve(this.channelStream(client, channel, socket));
        });
      };
      client.connect({
        sock: socket,
        username: this.settings.username,
        // The caller's AbortSignal bounds connecting; a person may take long to answer a prompt.
        readyTimeout: 0,
        keepaliveInterval: 0,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void): void => {
          session.verifyHost(key).then(verify, (e: TransportError) => {
            session.hostKeyError = e;
            verify(false);
          });
        },
        authHandler: (left, _partial, next) => session.nextAuth(left, next),
      });
    });
  }

  /** @internal */
  error(message: string, cause?: unknown): TransportError {
    return new TransportError(this.flavour, message, cause === undefined ? undefined : { cause });
  }

  /** @internal */
  ask(requests: CredentialRequest[]): Promise<(string | undefined)[]> {
    return answerCredentials(this.auth, requests);
  }

  /** @internal */
  get hasCallback(): boolean {
    return this.auth?.callback !== undefined;
  }

  /** @internal */
  get hasPassword(): boolean {
    return this.auth?.password !== undefined;
  }

  /** @internal */
  get agent(): string | undefined {
    return this.agentSocket;
  }

  /** The exec channel as the connection; its close ends the SSH connection. */
  private channelStream(client: SshClient, channel: ClientChannel, socket: Socket): CommandDuplex {
    let status: ExitStatus = { code: null, signal: null, error: "the SSH channel closed without an exit status" };
    channel.once("exit", (code: number | null, sig?: string) => {
      status = code !== null ? { code, signal: null } : { code: null, signal: sig ?? null };
    });
    client.on("error", (err: Error) => {
      if (status.code === null && status.signal === null) status = { code: null, signal: null, error: err.message };
    });
    let forceTimer: NodeJS.Timeout | undefined;
    const exited = new Promise<ExitStatus>((settle) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(forceTimer);
        client.end();
        settle(status);
      };
      channel.once("close", finish);
      client.once("close", finish);
    });
    const kill = (): void => {
      channel.close();
      client.end();
      // client.end() only half-closes: a peer that never answers would hold the socket (and exited) forever.
      forceTimer ??= setTimeout(() => socket.destroy(), KILL_GRACE_MS);
    };
    return new CommandDuplex({ stdin: channel, stdout: channel, stderr: channel.stderr, exited, kill }, { transport: this.flavour, what: "the remote command" });
  }
}

/** One connection's host key check and authentication, in libvirt's order. */
class SetupSession {
  hostKeyError: TransportError | null = null;
  /** A known_hosts line for a key accepted on first use, until the handshake proves it. */
  private accepted: string | null = null;
  onFatal: (err: Error) => void = () => {};
  private readonly pending: SshAuthMethod[];
  /** What was tried and how it went, for the error when all fail. */
  private readonly outcomes: string[] = [];
  private current: { method: SshAuthMethod; label: string; tries: number } | null = null;
  private offered: AuthenticationType[] = [];

  constructor(private readonly t: LibsshTransport) {
    this.pending = [...t.settings.methods];
  }

  /** ssh2 reports some failures as 'error' and goes on with the next method; true when `err` is one of those. */
  absorb(err: Error & { level?: string }): boolean {
    if (err.level === "agent") {
      this.note(`agent: ${err.message}`);
      // Already noted: the next call to nextAuth must not count it as a rejection too.
      this.current = null;
      return true;
    }
    return false;
  }

  async verifyHost(key: Buffer): Promise<boolean> {
    const { host, port, knownHosts, hostKeyPolicy } = this.t.settings;
    if (hostKeyPolicy === "ignore") return true;
    let text = "";
    try {
      text = await readFile(knownHosts, "utf8");
    } catch (e) {
      // libvirt creates the file on first use; any other failure is an error.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
        throw this.t.error(`unable to load known hosts file '${knownHosts}': ${(e as Error).message}`, e);
      }
    }
    const verdict = checkHostKey(parseKnownHosts(text), host, port, key);
    if (verdict.result === "match") return true;
    if (verdict.result === "mismatch") {
      throw this.t.error(
        `SSH host key verification failed: the key of '${host}:${port}' (${sha256Fingerprint(key)}) differs from the one stored in ` +
          `'${knownHosts}' line ${verdict.entry.line}; this may be a man-in-the-middle attack. Remove that line only if the host's key really changed`,
      );
    }
    if (hostKeyPolicy === "normal") {
      const hash = md5Fingerprint(key);
      if (!this.t.hasCallback) {
        throw this.t.error(
          `the SSH host key of '${host}:${port}' (${sha256Fingerprint(key)}) is not in '${knownHosts}' and no credentials callback was given to accept it ` +
            `(known_hosts_verify=normal; add the key to that file, or use known_hosts_verify=auto to add it on first use)`,
        );
      }
      const [answer] = await this.t.ask([
        { type: "echoprompt", prompt: `Accept SSH host key with hash '${hash}' for host '${host}:${port}' (y/n)?`, challenge: sha256Fingerprint(key) },
      ]);
      if (answer?.toLowerCase() !== "y") {
        throw this.t.error(`SSH host key for '${host}' (${hash}) was not accepted; it is not in '${knownHosts}'`);
      }
    }
    // Written once the handshake has proved the server holds the key (ssh2 asks before checking its signature).
    this.accepted = `${knownHostsLine(host, port, key)}\n`;
    return true;
  }

  /** Adds the key accepted on first use to known_hosts; for after the handshake, as libvirt's libssh does. */
  async saveAcceptedKey(): Promise<void> {
    const line = this.accepted;
    this.accepted = null;
    if (line === null) return;
    const { knownHosts } = this.t.settings;
    try {
      await mkdir(dirname(knownHosts), { recursive: true, mode: 0o700 });
      await appendFile(knownHosts, line, { mode: 0o600 });
    } catch (e) {
      throw this.t.error(`failed to write known_hosts file '${knownHosts}': ${(e as Error).message}`, e);
    }
  }

  /** ssh2's authHandler: called first with null, then after each rejection with the methods the server still offers. */
  nextAuth(left: AuthenticationType[] | null, next: (auth: AnyAuthMethod | AuthenticationType) => void): void {
    const username = this.t.settings.username;
    // As libssh2_userauth_list: a "none" request first, whose rejection lists the server's methods.
    if (left === null) {
      next({ type: "none", username });
      return;
    }
    this.offered = left;
    if (this.current !== null) this.note(`${this.current.label}: rejected by the server`);
    this.attempt().then(
      (auth) => {
        if (auth !== null) next(auth);
        else this.onFatal(this.exhausted());
      },
      (e: Error) => this.onFatal(e),
    );
  }

  private note(text: string): void {
    this.outcomes.push(text);
  }

  private exhausted(): TransportError {
    const { username, host, port, methods } = this.t.settings;
    const offered = this.offered.filter((m) => m !== "none").join(", ");
    return this.t.error(
      `SSH authentication as '${username}' to ${host}:${port} failed: permission denied; tried ${methods.join(", ")} (server offers ${offered || "nothing"}): ` +
        this.outcomes.join("; "),
    );
  }

  /** The next request to send, or null when every method has been tried. */
  private async attempt(): Promise<AnyAuthMethod | null> {
    const { username, host } = this.t.settings;
    const cur = this.current;
    // Prompted methods ask again after a rejection, as libvirt's loops do.
    if (cur !== null && (cur.method === "password" || cur.method === "keyboard-interactive") && this.t.hasCallback && cur.tries < PROMPT_TRIES) {
      const again = await this.request(cur.method, username, host);
      if (again !== null) {
        cur.tries++;
        return again;
      }
    }
    this.current = null;
    for (;;) {
      const method = this.pending.shift();
      if (method === undefined) return null;
      if (!this.offered.includes(SERVER_METHOD[method])) {
        this.note(`${method}: not offered by the server`);
        continue;
      }
      const auth = await this.request(method, username, host);
      if (auth === null) continue;
      this.current = { method, label: method === "privkey" ? `privkey '${this.t.settings.keyfile}'` : method, tries: 1 };
      return auth;
    }
  }

  /** One request for a method, or null (noted) when it cannot be tried. */
  private async request(method: SshAuthMethod, username: string, host: string): Promise<AnyAuthMethod | null> {
    switch (method) {
      case "agent": {
        const agent = this.t.agent;
        if (agent === undefined) {
          this.note("agent: SSH_AUTH_SOCK is not set");
          return null;
        }
        return { type: "agent", username, agent };
      }
      case "privkey": {
        const key = await this.privateKey();
        return key === null ? null : { type: "publickey", username, key };
      }
      case "password": {
        const [password] = await this.t.ask([{ type: "passphrase", prompt: `Enter ${username}'s password for ${host}` }]);
        if (password === undefined) {
          if (this.current?.method === "password") return null;
          this.note("password: no password given (auth.password or a credentials callback answering 'passphrase')");
          return null;
        }
        return { type: "password", username, password };
      }
      case "keyboard-interactive":
        if (!this.t.hasCallback && !this.t.hasPassword) {
          this.note("keyboard-interactive: no credentials callback or password");
          return null;
        }
        return {
          type: "keyboard-interactive",
          username,
          prompt: (_name, instructions, _lang, prompts, finish) => {
            // libvirt drops the prompt's trailing colon: its callbacks add their own.
            const requests = prompts.map((p): CredentialRequest => {
              const colon = p.prompt.lastIndexOf(":");
              const text = colon < 0 ? p.prompt : p.prompt.slice(0, colon);
              return { type: p.echo === true ? "echoprompt" : "noechoprompt", prompt: text, ...(instructions === "" ? {} : { challenge: instructions }) };
            });
            this.t.ask(requests).then(
              (answers) => {
                if (answers.some((a) => a === undefined)) {
                  this.onFatal(this.t.error("keyboard-interactive authentication: the credentials callback left a prompt unanswered"));
                  return;
                }
                finish(answers as string[]);
              },
              (e: Error) => this.onFatal(e),
            );
          },
        };
    }
  }

  /** The key file parsed, asking for its passphrase when it is encrypted. */
  private async privateKey(): Promise<ParsedKey | null> {
    const file = this.t.settings.keyfile!;
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      this.note(`privkey '${file}': ${(e as Error).message}`);
      return null;
    }
    const { utils } = await ssh2();
    let key = utils.parseKey(data);
    if (key instanceof Error && /passphrase|encrypted/i.test(key.message)) {
      const [passphrase] = await this.t.ask([{ type: "passphrase", prompt: `Passphrase for key '${file}'` }]);
      if (passphrase === undefined) {
        throw this.t.error(`private key '${file}' is encrypted and no passphrase was given (auth.password or a credentials callback answering 'passphrase')`);
      }
      key = utils.parseKey(data, passphrase);
    }
    if (key instanceof Error) {
      this.note(`privkey '${file}': ${key.message}`);
      return null;
    }
    return key;
  }
}
