import { homedir } from "node:os";
import { join } from "node:path";
import { UriError } from "../errors.js";
import { uriParam, type ConnectionUri } from "../uri.js";
import { uriFlag } from "./params.js";

/**
 * What runs on the remote side of an SSH tunnel, and the local `ssh`
 * command line, built as libvirt 9.0's remote driver builds them
 * (remote_driver.c doRemoteOpen, remote_sockets.c, virnetclient.c
 * virNetClientSSHHelperCommand, virnetsocket.c virNetSocketNewConnectSSH),
 * so that `ps` shows the same command for this client as for virsh and
 * sshd configurations that match on it keep working.
 */

/** `proxy=`: how the remote side reaches the daemon. */
export type ProxyMode = "auto" | "netcat" | "native";

const SHELL_SPECIALS = /[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/;

/**
 * libvirt's virBufferEscapeShell: a string with no shell metacharacter is
 * left bare; any other is single-quoted, each `'` becoming `'\''`; the
 * empty string is `''`.
 */
export function escapeShell(s: string): string {
  if (s === "") return "''";
  if (!SHELL_SPECIALS.test(s)) return s;
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** sshd hands the command to a shell, which runs `sh -c '...'`: two levels of quoting. */
function escapeTwice(s: string): string {
  return escapeShell(escapeShell(s));
}

export interface RemoteCommandOptions {
  proxy: ProxyMode;
  /** `netcat=`: the nc binary on the remote host. */
  netcat: string | undefined;
  /** The daemon's socket on the remote host (netcat modes). */
  socket: string;
  /** The URI virt-ssh-helper opens on the remote host: the CONNECT_OPEN name. */
  driverUri: string;
  readOnly: boolean;
}

/**
 * The remote command, text for text as libvirt builds it. `socket` is
 * inserted unquoted, as libvirt does; `netcat=` in auto mode means the
 * user wants nc, so auto becomes netcat.
 */
export function remoteCommand(o: RemoteCommandOptions): string {
  const nc = escapeTwice(o.netcat ?? "nc");
  const ncCommand =
    `if '${nc}' -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;` +
    `'${nc}' $ARG -U ${o.socket}`;
  const helper = `virt-ssh-helper${o.readOnly ? " -r " : " "}'${escapeTwice(o.driverUri)}'`;
  const proxy = o.proxy === "auto" && o.netcat !== undefined ? "netcat" : o.proxy;
  switch (proxy) {
    case "auto":
      return (
        "sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; " +
        "if test $? = 0; then " +
        `    ${helper}; ` +
        "else" +
        `    ${ncCommand}; ` +
        "fi'"
      );
    case "netcat":
      return `sh -c '${ncCommand}'`;
    case "native":
      if (o.netcat !== undefined) throw new UriError("netcat path not valid with native proxy mode");
      return `sh -c '${helper}'`;
  }
}

/**
 * libvirt's REMOTE_DRIVER_OPEN_USER: the per-user daemon for `/session`
 * URIs and any `test+...` URI, decided by the local user's uid even over
 * SSH (libvirt's own rule).
 */
export function wantsUserDaemon(uri: ConnectionUri, euid: number): boolean {
  // remoteGetURIDaemonInfo: only a URI with a path ("" here is libvirt's NULL path).
  return euid > 0 && uri.path !== "" && (uri.path === "/session" || uri.uri.startsWith("test+"));
}

/** The proxy mode libvirt picks: `proxy=`, else netcat when `socket=` is given, native for the user daemon, else auto. */
export function proxyModeFor(uri: ConnectionUri, euid: number): ProxyMode {
  const given = uriParam(uri, "proxy");
  if (given !== undefined) {
    if (given !== "auto" && given !== "netcat" && given !== "native") {
      throw new UriError(`${JSON.stringify(uri.uri)}: unknown proxy type '${given}' (expected auto, netcat or native)`);
    }
    return given;
  }
  if (uriParam(uri, "socket") !== undefined) return "netcat";
  return wantsUserDaemon(uri, euid) ? "native" : "auto";
}

/**
 * The daemon socket named to the remote side (for nc) when `socket=` is
 * absent: over SSH libvirt always names the legacy libvirtd socket, since
 * it cannot probe the remote host (virt-ssh-helper probes there instead);
 * `mode=direct` is refused. The user daemon's path comes from the local
 * environment, as in libvirt.
 */
export function remoteSocketFor(uri: ConnectionUri, readOnly: boolean, env: NodeJS.ProcessEnv = process.env, euid = currentEuid()): string {
  const mode = socketMode(uri);
  const socket = uriParam(uri, "socket");
  if (socket !== undefined) return socket;
  if (mode === "direct") throw new UriError(`Cannot use direct socket mode for ${uri.transport} transport`);
  if (wantsUserDaemon(uri, euid)) return join(userRuntimeDir(env), "libvirt-sock");
  // LOCALSTATEDIR/run rather than /run: the remote host may not have /run.
  return `/var/run/libvirt/libvirt-${readOnly ? "sock-ro" : "sock"}`;
}

function socketMode(uri: ConnectionUri): string | undefined {
  const mode = uriParam(uri, "mode");
  if (mode !== undefined && mode !== "auto" && mode !== "legacy" && mode !== "direct") {
    throw new UriError(`${JSON.stringify(uri.uri)}: unknown remote mode '${mode}' (expected auto, legacy or direct)`);
  }
  return mode;
}

/** virGetUserRuntimeDirectory: `$XDG_RUNTIME_DIR/libvirt`, else the user cache directory. */
function userRuntimeDir(env: NodeJS.ProcessEnv): string {
  const runtime = env["XDG_RUNTIME_DIR"];
  if (runtime !== undefined && runtime !== "") return join(runtime, "libvirt");
  const cache = env["XDG_CACHE_HOME"];
  // glib's home directory is $HOME first, the passwd entry only without it.
  const home = env["HOME"] !== undefined && env["HOME"] !== "" ? env["HOME"] : homedir();
  return join(cache !== undefined && cache !== "" ? cache : join(home, ".cache"), "libvirt");
}

export function currentEuid(): number {
  return process.geteuid?.() ?? 0;
}

/** The remote command for a URI and open flags, as libvirt's SSH transports (all three) run it. */
export function remoteCommandFor(uri: ConnectionUri, readOnly: boolean, env: NodeJS.ProcessEnv = process.env, euid = currentEuid()): string {
  // Checked in libvirt's order, so that a URI with two faults reports the same one.
  socketMode(uri);
  const proxy = proxyModeFor(uri, euid);
  const socket = remoteSocketFor(uri, readOnly, env, euid);
  return remoteCommand({ proxy, netcat: uriParam(uri, "netcat"), socket, driverUri: uri.name, readOnly });
}

export interface SshArgvOptions {
  host: string;
  port: number | null;
  user: string | null;
  keyfile: string | undefined;
  /** `no_tty=1`: never prompt (BatchMode). */
  noTty: boolean;
  /** `no_verify=1`: accept an unknown host key. */
  noVerify: boolean;
  /** The remote command, one argument. */
  command: string;
}

/** The argv of the ssh process, in virNetSocketNewConnectSSH's order. */
export function sshArgv(o: SshArgvOptions): string[] {
  const args: string[] = [];
  if (o.port !== null) args.push("-p", String(o.port));
  if (o.user !== null) args.push("-l", o.user);
  if (o.keyfile !== undefined) args.push("-i", o.keyfile);
  args.push("-T", "-e", "none");
  if (o.noTty) args.push("-o", "BatchMode=yes");
  if (o.noVerify) args.push("-o", "StrictHostKeyChecking=no");
  args.push("--", o.host, o.command);
  return args;
}

/** The ssh program and its arguments for a `+ssh` URI. */
export function sshCommandFor(
  uri: ConnectionUri,
  readOnly: boolean,
  env: NodeJS.ProcessEnv = process.env,
  euid = currentEuid(),
): { file: string; args: string[] } {
  const noVerify = uriFlag(uri, "no_verify");
  const noTty = uriFlag(uri, "no_tty");
  const command = remoteCommandFor(uri, readOnly, env, euid);
  const file = uriParam(uri, "command") ?? "ssh";
  const args = sshArgv({
    host: uri.host ?? "localhost",
    // libvirt passes -p only for a port in the URI (port 0 counts as none).
    port: uri.port === null || uri.port === 0 ? null : uri.port,
    user: uri.user,
    keyfile: uriParam(uri, "keyfile"),
    noTty,
    noVerify,
    command,
  });
  return { file, args };
}
