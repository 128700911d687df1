import { createHash, createHmac } from "node:crypto";

/**
 * OpenSSH known_hosts files, read as libssh2's knownhost functions read
 * them for libvirt's in-process SSH: plain and hashed (`|1|salt|hash`)
 * host names, `[host]:port` for other ports, `*`/`?` patterns and `!`
 * negation; `@cert-authority` lines are skipped, `@revoked` ones never match.
 */

export interface KnownHost {
  /** 1-based, for messages. */
  line: number;
  marker: string | null;
  hosts: string[];
  keyType: string;
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHost[] {
  const out: KnownHost[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith("@") === true ? fields.shift()! : null;
    const [hosts, keyType, key] = fields;
    if (hosts === undefined || keyType === undefined || key === undefined) return;
    out.push({ line: i + 1, marker, hosts: hosts.split(","), keyType, key: Buffer.from(key, "base64") });
  });
  return out;
}

/** The algorithm name that starts an SSH public key blob (`ssh-ed25519`). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString("latin1");
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith("|1|")) {
    const [, , salt, hash] = pattern.split("|");
    if (salt === undefined || hash === undefined) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".")}$`, "i");
  return re.test(name);
}

/** Whether a host list (one known_hosts field) names `name`; a matching `!pattern` excludes. */
export function hostListMatches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith("!")) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) {
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict = { result: "match"; entry: KnownHost } | { result: "mismatch"; entry: KnownHost } | { result: "notfound" };

/**
 * Checks a server's key as libssh2_knownhost_checkp does for libvirt:
 * entries for `[host]:port` and for plain `host` count; one with the same
 * key is a match, one with another key (of any type) a mismatch.
 */
export function checkHostKey(entries: readonly KnownHost[], host: string, port: number, blob: Buffer): HostKeyVerdict {
  const names = [`[${host}]:${port}`, host];
  const type = keyTypeOf(blob);
  let mismatch: KnownHost | undefined;
  for (const e of entries) {
    if (e.marker === "@cert-authority") continue;
    if (!names.some((n) => hostListMatches(e.hosts, n))) continue;
    if (e.marker === "@revoked") {
      if (e.keyType === type && e.key.equals(blob)) return { result: "mismatch", entry: e };
      continue;
    }
    // libvirt passes key type 0 to libssh2_knownhost_checkp ("match always"), and libssh's
    // SSH_SERVER_FOUND_OTHER fails too: a stored key of another type is a mismatch, not unknown.
    if (e.key.equals(blob)) return { result: "match", entry: e };
    mismatch ??= e;
  }
  return mismatch === undefined ? { result: "notfound" } : { result: "mismatch", entry: mismatch };
}

/** The line libvirt adds for an accepted key: always `[host]:port`, with its comment. */
export function knownHostsLine(host: string, port: number, blob: Buffer): string {
  return `[${host}]:${port} ${keyTypeOf(blob)} ${blob.toString("base64")} added by libvirt ssh transport`;
}

/** The MD5 fingerprint as libvirt shows it when asking (`AB:CD:...`). */
export function md5Fingerprint(blob: Buffer): string {
  return createHash("md5").update(blob).digest("hex").toUpperCase().match(/../g)!.join(":");
}

/** OpenSSH's fingerprint (`SHA256:...`), for messages a person compares with `ssh-keygen -l`. */
export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}
