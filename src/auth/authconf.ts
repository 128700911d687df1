import { accessSync, constants, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ConnectionUri } from "../uri.js";
import type { CredentialType } from "./credentials.js";
import { AuthError } from "./errors.js";

/**
 * libvirt's auth.conf: a GLib key file whose `auth-SERVICE-HOST` groups
 * name a `credentials-NAME` group holding `username`, `authname`,
 * `password` and `realm`:
 *
 *     [credentials-test]
 *     authname=alice
 *     password=secret
 *
 *     [auth-libvirt-127.0.0.1]
 *     credentials=test
 *
 * `auth-SERVICE-default` applies to hosts without a group of their own.
 */
export class AuthConfig {
  private constructor(
    readonly path: string,
    private readonly groups: Map<string, Map<string, string>>,
  ) {}

  /** Reads and parses a file; an unreadable or malformed file is an ERR_AUTH_CONFIG error, as in libvirt. */
  static load(path: string): AuthConfig {
    let data: string;
    try {
      data = readFileSync(path, "utf8");
    } catch (e) {
      throw new AuthError("ERR_AUTH_CONFIG", `cannot read the auth file ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
    }
    return AuthConfig.parse(data, path);
  }

  static parse(data: string, path = "auth.conf"): AuthConfig {
    return new AuthConfig(path, parseKeyFile(data, path));
  }

  /**
   * The credential `name` for `service` on `host` (libvirt's
   * virAuthConfigLookup): undefined when no group applies or the
   * credentials group lacks it.
   */
  lookup(service: string, host: string | null, name: string): string | undefined {
    let auth = this.groups.get(`auth-${service}-${host ?? "localhost"}`);
    let authName = `auth-${service}-${host ?? "localhost"}`;
    if (auth === undefined) {
      authName = `auth-${service}-default`;
      auth = this.groups.get(authName);
    }
    if (auth === undefined) return undefined;
    const ref = auth.get("credentials");
    if (ref === undefined) throw new AuthError("ERR_AUTH_CONFIG", `${this.path}: group '${authName}' has no 'credentials' item`);
    const creds = this.groups.get(`credentials-${ref}`);
    if (creds === undefined) throw new AuthError("ERR_AUTH_CONFIG", `${this.path}: group 'credentials-${ref}' named by '${authName}' is missing`);
    return creds.get(name);
  }
}

/** Which auth.conf item answers which credential request (libvirt's remoteAuthFillFromConfig). */
export const AUTH_CONF_ITEM: Partial<Record<CredentialType, string>> = {
  username: "username",
  authname: "authname",
  passphrase: "password",
  realm: "realm",
};

/**
 * The auth file libvirt would use for this URI, or null: LIBVIRT_AUTH_FILE,
 * then the URI's `authfile=` parameter, then `$XDG_CONFIG_HOME/libvirt/auth.conf`
 * (`~/.config/...`) and `/etc/libvirt/auth.conf` if readable (libvirt's
 * virAuthGetConfigFilePathURI: the environment wins over the URI).
 */
export function authConfigPath(uri: ConnectionUri | null, env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env["LIBVIRT_AUTH_FILE"];
  if (fromEnv !== undefined) return fromEnv;
  const fromUri = uri?.params.find(([k]) => k === "authfile")?.[1];
  if (fromUri !== undefined) return fromUri;
  const configHome = env["XDG_CONFIG_HOME"] || join(env["HOME"] ?? homedir(), ".config");
  for (const candidate of [join(configHome, "libvirt", "auth.conf"), "/etc/libvirt/auth.conf"]) {
    try {
      accessSync(candidate, constants.R_OK);
      return candidate;
    } catch {
      // Not there or not readable: the next one, as libvirt does.
    }
  }
  return null;
}

/** GLib's key-file syntax, as far as auth.conf uses it: groups, `key=value`, `#` comments, `\s \n \t \r \\` escapes. */
function parseKeyFile(data: string, path: string): Map<string, Map<string, string>> {
  const groups = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  data.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) return;
    const group = /^\[([^[\]]+)\]\s*$/.exec(line);
    if (group !== null) {
      const name = group[1]!;
      current = groups.get(name) ?? new Map();
      groups.set(name, current);
      return;
    }
    const eq = line.indexOf("=");
    if (eq <= 0 || current === null) {
      // No values are quoted here: a malformed line may hold a password.
      throw new AuthError("ERR_AUTH_CONFIG", `${path}:${i + 1}: not a group header or key=value line${current === null && eq > 0 ? " (a key before any group)" : ""}`);
    }
    const key = line.slice(0, eq).trimEnd();
    const value = unescapeValue(line.slice(eq + 1).replace(/^\s+/, ""), `${path}:${i + 1}`);
    (current as Map<string, string>).set(key, value);
  });
  return groups;
}

function unescapeValue(v: string, at: string): string {
  return v.replace(/\\(.?)/g, (_, c: string) => {
    switch (c) {
      case "s":
        return " ";
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "\\":
        return "\\";
      default:
        throw new AuthError("ERR_AUTH_CONFIG", `${at}: invalid escape in a value`);
    }
  });
}
