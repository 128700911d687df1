import { execFile } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";



export interface SaslSetup {
  /** The folder to give the daemon as SASL_CONF_PATH (it holds libvirt.conf and the sasldb). */
  confPath: string;
  db: string;
}

/**
 * A Cyrus SASL configuration for a throwaway libvirtd: `libvirt.conf` with
 * the mechanisms and a sasldb made with saslpasswd2 (sasl2-bin), readable
 * and writable by the unprivileged daemon. Users' realm is the machine's
 * host name, as saslpasswd2 makes it and the daemon expects.
 */
export async function makeSaslConfig(dir: string, users: Record<string, string>, mechanisms = ["digest-md5", "scram-sha-256"]): Promise<SaslSetup> {
  await mkdir(dir, { recursive: true });
  const db = join(dir, "passwd.db");
  await writeFile(join(dir, "libvirt.conf"), `mech_list: ${mechanisms.join(" ")}\nsasldb_path: ${db}\n`);
  for (const [user, password] of Object.entries(users)) {
    // The password goes through stdin, never the command line.
    await new Promise<void>((resolve, reject) => {
      const child = execFile("saslpasswd2", ["-p", "-c", "-a", "libvirt", "-f", db, user], (err) => (err === null ? resolve() : reject(err)));
      child.stdin?.end(password);
    });
  }
  await chmod(dir, 0o777);
  await chmod(db, 0o666);
  return { confPath: dir, db };
}
