import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UriError } from "./errors.js";

export type TransportKind = "unix" | "tcp" | "tls" | "ssh" | "libssh" | "libssh2" | "ext";
export type SocketMode = "auto" | "legacy" | "direct";

/** A libvirt connection URI, `driver[+transport]://[user@][host][:port]/path[?params]`, taken apart. */
export interface ConnectionUri {
  /** The URI as given. */
  uri: string;
  /** `qemu`, `test`, `remote`, ...; empty when no URI was given at all. */
  driver: string;
  transport: TransportKind;
  user: string | null;
  host: string | null;
  port: number | null;
  path: string;
  /** Every query parameter, in order, decoded. */
  params: [string, string][];
  /** What CONNECT_OPEN asks the daemon for, as libvirt's remote driver builds it. */
  name: string;
}

const TRANSPORTS: readonly TransportKind[] = ["unix", "tcp", "tls", "ssh", "libssh", "libssh2", "ext"];

/** Parameters the client consumes; the rest travel to the daemon in `name`. */
const CLIENT_PARAMS = new Set([
  "name", "command", "socket", "auth", "sshauth", "netcat", "keyfile", "pkipath", "known_hosts",
  "known_hosts_verify", "tls_priority", "mode", "proxy", "no_sanity", "no_verify", "no_tty", "authfile",
]);

export const DEFAULT_PORTS: Readonly<Partial<Record<TransportKind, number>>> = { tcp: 16509, tls: 16514, ssh: 22, libssh: 22, libssh2: 22 };

/**
 * Parses a URI the way libvirt's remote driver reads it; `undefined` means
 * LIBVIRT_DEFAULT_URI, and without that, the local daemon's own choice.
 */
export function parseUri(input: string | undefined = process.env["LIBVIRT_DEFAULT_URI"]): ConnectionUri {
  if (input === undefined || input === "") {
    return { uri: "", driver: "", transport: "unix", user: null, host: null, port: null, path: "", params: [], name: "" };
  }
  const scheme = /^([A-Za-z][A-Za-z0-9._-]*)(?:\+([A-Za-z0-9]+))?:\/\//.exec(input);
  if (scheme === null) {
    throw new UriError(`${JSON.stringify(input)}: expected driver[+transport]://[user@][host][:port]/path[?params]`);
  }
  const driver = scheme[1]!.toLowerCase();
  const transportText = scheme[2]?.toLowerCase();
  if (transportText !== undefined && !(TRANSPORTS as readonly string[]).includes(transportText)) {
    throw new UriError(`${JSON.stringify(input)}: unknown transport '${transportText}' (expected ${TRANSPORTS.join(", ")})`);
  }
  const rest = input.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]|$/);
  const { user, host, port } = authority(input, rest.slice(0, authorityEnd));
  const m = /^([^?#]*)(?:\?([^#]*))?(#.*)?$/.exec(rest.slice(authorityEnd))!;
  const path = percentDecode(input, "path", m[1]!);
  const params: [string, string][] = querySections(m[2] ?? "").map(([k, v]) => [percentDecode(input, "parameter name", k), percentDecode(input, `parameter ${k}`, v)]);
  const transport = (transportText ?? (host === null ? "unix" : "tls")) as TransportKind;
  if (transport === "unix" && host !== null) {
    throw new UriError(`${JSON.stringify(input)}: a unix socket cannot reach remote host '${host}'`);
  }
  const parsed: ConnectionUri = { uri: input, driver, transport, user, host, port, path, params, name: "" };
  parsed.name = openName(parsed, m[3] ?? "");
  return parsed;
}

/**
 * A query's `name=value` sections, still escaped, cut as virURIParseParams
 * cuts them: at the next `&`, or at the next `;` only where no `&` is left
 * (so `socket=/a;b&mode=legacy` is two sections); empty sections and
 * `=value` ones are dropped, `name` alone has the value "".
 */
export function querySections(query: string): [string, string][] {
  const out: [string, string][] = [];
  let at = 0;
  while (at < query.length) {
    let end = query.indexOf("&", at);
    if (end < 0) end = query.indexOf(";", at);
    if (end < 0) end = query.length;
    const section = query.slice(at, end);
    const eq = section.indexOf("=");
    if (section !== "" && eq !== 0) out.push(eq < 0 ? [section, ""] : [section.slice(0, eq), section.slice(eq + 1)]);
    at = end + 1;
  }
  return out;
}

function authority(input: string, text: string): { user: string | null; host: string | null; port: number | null } {
  const at = text.lastIndexOf("@");
  const user = at < 0 ? null : percentDecode(input, "user", text.slice(0, at));
  const hostPort = text.slice(at + 1);
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*))(?::(.*))?$/.exec(hostPort);
  if (m === null) throw new UriError(`${JSON.stringify(input)}: malformed host '${hostPort}'`);
  const host = m[1] ?? (m[2] === "" ? null : percentDecode(input, "host", m[2]!));
  let port: number | null = null;
  if (m[3] !== undefined && m[3] !== "") {
    if (!/^\d{1,5}$/.test(m[3]) || Number(m[3]) > 65535) throw new UriError(`${JSON.stringify(input)}: invalid port '${m[3]}'`);
    // libvirt reads port 0 as "none given" and uses the transport's default.
    port = Number(m[3]) === 0 ? null : Number(m[3]);
  }
  return { user, host, port };
}

function percentDecode(input: string, part: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UriError(`${JSON.stringify(input)}: bad percent-escape in ${part} '${text}'`);
  }
}

/**
 * A query parameter, matched without regard to case; the last occurrence
 * wins, as in libvirt's doRemoteOpen, whose EXTRACT_URI_ARG_* macros
 * overwrite the value on each occurrence of every client parameter.
 */
export function uriParam(uri: ConnectionUri, name: string): string | undefined {
  return uri.params.findLast(([k]) => k.toLowerCase() === name)?.[1];
}

/**
 * The name sent in CONNECT_OPEN: the URI without transport, host, port,
 * user and the client's own parameters (`test+tcp://h:1/default` ->
 * `test:///default`); `name=` overrides; `remote` lets the daemon choose.
 */
function openName(u: ConnectionUri, fragment: string): string {
  const explicit = uriParam(u, "name");
  if (explicit !== undefined) return explicit;
  if (u.driver === "remote") return "";
  const kept = u.params.filter(([k]) => !CLIENT_PARAMS.has(k.toLowerCase()));
  const query = kept.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  const path = u.path.split("/").map(encodeURIComponent).join("/");
  return `${u.driver}://${path}${query === "" ? "" : `?${query}`}${fragment}`;
}

/**
 * Whether a URI reaches the per-user daemon, as libvirt's remote driver
 * decides it (remoteGetURIDaemonInfo): `/session` URIs, `test+...` URIs and
 * the empty URI, when not root.
 */
export function usesUserDaemon(u: ConnectionUri, euid = process.geteuid?.() ?? 0): boolean {
  return euid > 0 && (u.path === "/session" || u.uri.toLowerCase().startsWith("test+") || u.uri === "");
}

/**
 * virGetUserRuntimeDirectory: GLib's runtime directory (a non-empty
 * XDG_RUNTIME_DIR, else the cache directory: XDG_CACHE_HOME, else
 * $HOME/.cache) + `/libvirt`, where the per-user daemon puts its sockets.
 */
export function userRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const set = (name: string): string | undefined => (env[name] === "" ? undefined : env[name]);
  return join(set("XDG_RUNTIME_DIR") ?? set("XDG_CACHE_HOME") ?? join(set("HOME") ?? homedir(), ".cache"), "libvirt");
}

export interface SocketChoice {
  path: string;
  mode: "legacy" | "direct";
}

/**
 * The Unix socket to use, as libvirt's remote driver picks it: `socket=`
 * if given; else the per-user daemon for `/session` (and `test+...`) URIs
 * when not root, the system one otherwise; the modular daemon's socket
 * (`virtqemud-sock`) in direct mode, libvirtd's (`libvirt-sock`) in legacy
 * mode, and in auto mode whichever exists, the modular one first.
 */
export function unixSocketFor(u: ConnectionUri, readOnly: boolean, env = process.env, euid = process.geteuid?.() ?? 0): SocketChoice {
  const mode = (uriParam(u, "mode") ?? "auto") as SocketMode;
  if (mode !== "auto" && mode !== "legacy" && mode !== "direct") {
    throw new UriError(`${JSON.stringify(u.uri)}: mode must be auto, legacy or direct, not '${mode}'`);
  }
  const socket = uriParam(u, "socket");
  // Node would read an empty path as "no path" and dial TCP instead.
  if (socket === "") throw new UriError(`${JSON.stringify(u.uri)}: socket= is empty; libvirt, too, fails to connect to ''`);
  if (socket !== undefined) return { path: socket, mode: mode === "direct" ? "direct" : "legacy" };
  const user = usesUserDaemon(u, euid);
  const dir = user ? userRuntimeDir(env) : "/var/run/libvirt";
  const file = (prefix: string): string => join(dir, user ? `${prefix}-sock` : `${prefix}-${readOnly ? "sock-ro" : "sock"}`);
  const legacy = file("libvirt");
  const direct = u.driver === "" || u.driver === "remote" ? null : file(`virt${u.driver}d`);
  if (mode === "direct") {
    if (direct === null) throw new UriError("direct mode needs a driver in the URI (e.g. qemu:///system)");
    return { path: direct, mode };
  }
  if (mode === "legacy") return { path: legacy, mode };
  if (direct !== null && existsSync(direct)) return { path: direct, mode: "direct" };
  return { path: legacy, mode: "legacy" };
}
