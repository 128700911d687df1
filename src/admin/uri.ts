import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UriError } from "../rpc/errors.js";
import { querySections } from "../uri.js";

/** An admin URI (`libvirtd:///system`, `virtqemud:///session?socket=...`), taken apart as libvirt-admin reads it. */
export interface AdminUri {
  /** The URI as given, or as chosen by default or alias. */
  uri: string;
  /** `libvirtd`, `virtqemud`, `virtproxyd`, ... */
  scheme: string;
  /** Ignored by libvirt-admin, which only ever opens a local socket. */
  host: string | null;
  path: string;
  params: [string, string][];
  /** The admin socket to connect to. */
  socket: string;
}

/** Where libvirt-admin's environment and files come from; tests give their own. */
export interface AdminUriContext {
  env?: NodeJS.ProcessEnv;
  euid?: number;
  /** libvirt-admin.conf's text, or null when there is none (default: read from where libvirt-admin reads it). */
  config?: string | null;
}

/** libvirt's RUNSTATEDIR as Debian (and every current distribution) builds it. */
const RUN_DIR = "/run";

/**
 * Resolves an admin URI as virAdmConnectOpen does: no URI means
 * LIBVIRT_ADMIN_DEFAULT_URI, then libvirt-admin.conf's `uri_default`, then
 * `libvirtd:///system` for root and `libvirtd:///session` for anyone else;
 * `uri_aliases` from libvirt-admin.conf apply (unless `noAliases`); then the
 * socket is computed from the scheme and path, or taken from `socket=`.
 */
export function resolveAdminUri(input: string | undefined, context: AdminUriContext = {}, noAliases = false): AdminUri {
  const env = context.env ?? process.env;
  const euid = context.euid ?? process.geteuid?.() ?? 0;
  const config = parseAdminConfig(context.config === undefined ? readAdminConfig(env, euid) : context.config);
  let uri = input ?? defaultUri(env, euid, config);
  if (!noAliases) uri = resolveAlias(config.aliases, uri);
  return parseAdminUri(uri, env);
}

function defaultUri(env: NodeJS.ProcessEnv, euid: number, config: AdminConfig): string {
  const fromEnv = env["LIBVIRT_ADMIN_DEFAULT_URI"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (config.uriDefault !== undefined) return config.uriDefault;
  // libvirt-admin cannot probe drivers as libvirt does, so it picks libvirtd by who is asking.
  return euid === 0 ? "libvirtd:///system" : "libvirtd:///session";
}

/** An alias is a whole URI string matching the name before `=` of an `uri_aliases` entry. */
function resolveAlias(aliases: string[], uri: string): string {
  for (const entry of aliases) {
    const eq = entry.indexOf("=");
    if (eq < 0) throw new UriError(`malformed 'uri_aliases' entry '${entry}' in libvirt-admin.conf, expected 'alias=uri://host/path'`);
    const name = entry.slice(0, eq);
    if (!/^[A-Za-z0-9_-]*$/.test(name)) {
      throw new UriError(`malformed 'uri_aliases' entry '${entry}' in libvirt-admin.conf, aliases may only contain 'a-Z, 0-9, _, -'`);
    }
    if (name === uri) return entry.slice(eq + 1);
  }
  return uri;
}

/**
 * Parses a URI and computes its admin socket, as libvirt-admin's
 * getSocketPath: `socket=` is the only parameter it knows (names compared
 * with case), and wins; otherwise the scheme names the daemon (`libvirtd`
 * has the legacy socket name, any `virt*` daemon `<scheme>-admin-sock`) and
 * the path picks the system or the per-user runtime directory.
 */
export function parseAdminUri(uri: string, env: NodeJS.ProcessEnv = process.env): AdminUri {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?$/.exec(uri);
  if (m === null) throw new UriError(`${JSON.stringify(uri)}: no URI scheme specified`);
  const scheme = m[1]!;
  const authority = m[2] ?? "";
  const host = authority.replace(/^.*@/, "").replace(/:\d*$/, "");
  const path = decode(uri, m[3]!);
  const params = querySections(m[4] ?? "").map(([k, v]): [string, string] => [decode(uri, k), decode(uri, v)]);
  let socket: string | undefined;
  for (const [name, value] of params) {
    if (name !== "socket") throw new UriError(`${JSON.stringify(uri)}: unknown URI parameter '${name}'`);
    socket = value;
  }
  if (socket === "") throw new UriError(`${JSON.stringify(uri)}: socket= is empty`);
  socket ??= defaultSocket(uri, scheme, path, env);
  return { uri, scheme, host: host === "" ? null : host, path, params, socket };
}

function defaultSocket(uri: string, scheme: string, path: string, env: NodeJS.ProcessEnv): string {
  let base: string;
  if (scheme === "libvirtd") base = "libvirt-admin-sock";
  else if (scheme.startsWith("virt")) base = `${scheme}-admin-sock`;
  else throw new UriError(`${JSON.stringify(uri)}: unsupported URI scheme '${scheme}'`);
  if (path === "/system") return join(RUN_DIR, "libvirt", base);
  if (path === "/session") return join(userRuntimeDir(env), base);
  throw new UriError(`${JSON.stringify(uri)}: invalid URI path '${path}', try '/system'`);
}

/** virGetUserRuntimeDirectory: GLib's runtime dir (XDG_RUNTIME_DIR, else the cache dir) + `/libvirt`. */
export function userRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = nonEmpty(env["XDG_RUNTIME_DIR"]) ?? nonEmpty(env["XDG_CACHE_HOME"]) ?? join(env["HOME"] ?? homedir(), ".cache");
  return join(runtime, "libvirt");
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

function decode(uri: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UriError(`${JSON.stringify(uri)}: bad percent-escape in '${text}'`);
  }
}

// ---- libvirt-admin.conf ----

interface AdminConfig {
  uriDefault?: string;
  aliases: string[];
}

/** libvirt-admin.conf: `/etc/libvirt/` for root, `$XDG_CONFIG_HOME/libvirt/` (or `~/.config/libvirt/`) for others. */
function readAdminConfig(env: NodeJS.ProcessEnv, euid: number): string | null {
  const dir = euid === 0 ? "/etc/libvirt" : join(nonEmpty(env["XDG_CONFIG_HOME"]) ?? join(env["HOME"] ?? homedir(), ".config"), "libvirt");
  const path = join(dir, "libvirt-admin.conf");
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

/**
 * The two settings libvirt-admin reads, from libvirt's config syntax
 * (`name = "string"` or `name = [ "a", "b" ]`, `#` comments). Other
 * settings are skipped, as libvirt-admin ignores them.
 */
export function parseAdminConfig(text: string | null): AdminConfig {
  const config: AdminConfig = { aliases: [] };
  if (text === null) return config;
  const strings = (value: string): string[] => [...value.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((s) => s[1] ?? s[2] ?? "");
  // A list may span lines; join each setting's lines before reading it.
  const withoutComments = text.replace(/("(?:[^"\\]|\\.)*"|'[^']*')|#[^\n]*/g, (_all, quoted: string | undefined) => quoted ?? "");
  for (const m of withoutComments.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(\[[^\]]*\]|"(?:[^"\\]|\\.)*"|'[^']*'|\S+)/gm)) {
    const [, name, value = ""] = m;
    if (name === "uri_default") {
      const s = strings(value)[0];
      if (s !== undefined) config.uriDefault = s;
    } else if (name === "uri_aliases") {
      config.aliases = strings(value);
    }
  }
  return config;
}
