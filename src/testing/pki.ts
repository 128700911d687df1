import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CertSpec {
  /** File stem: `<name>cert.pem` and `<name>key.pem` are written. */
  name: string;
  subject: string;
  /** Signed by this CA's files (`<dir>/<ca>cert.pem`); "self" makes a CA. */
  issuer: string | "self";
  /** subjectAltName, e.g. "DNS:localhost,IP:127.0.0.1". */
  san?: string;
  usage?: "server" | "client";
  /** Validity window relative to now, in days (negative = in the past). */
  notBefore?: number;
  notAfter?: number;
  /** Overrides for hostile layouts: basic constraints (true = CA:TRUE), keyUsage and extendedKeyUsage lines (null = none). */
  ca?: boolean;
  keyUsage?: string | null;
  extendedKeyUsage?: string | null;
  /** More openssl extension lines, e.g. "1.2.3.4=critical,ASN1:NULL" for an extension nobody knows. */
  extraExtensions?: string[];
}

/**
 * Makes certificates with openssl for tests: a CA, a server and clients,
 * with the extensions libvirt checks (basic constraints, key usage,
 * extended key usage) and any validity window, so expired and not-yet-valid
 * certificates can be made too. Files are PEM, readable by any user (the
 * daemon runs unprivileged).
 */
export async function makeCert(dir: string, spec: CertSpec): Promise<{ cert: string; key: string }> {
  await mkdir(dir, { recursive: true });
  const key = join(dir, `${spec.name}key.pem`);
  const cert = join(dir, `${spec.name}cert.pem`);
  const ext = join(dir, `${spec.name}.ext`);
  const isCa = spec.issuer === "self";
  const asCa = spec.ca ?? isCa;
  const keyUsage = spec.keyUsage !== undefined ? spec.keyUsage : asCa ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment";
  const purpose = spec.extendedKeyUsage !== undefined ? spec.extendedKeyUsage : asCa ? null : spec.usage === "server" ? "serverAuth" : "clientAuth";
  const lines = [
    `basicConstraints=critical,CA:${asCa ? "TRUE" : "FALSE"}`,
    ...(keyUsage === null ? [] : [`keyUsage=${keyUsage}`]),
    ...(purpose === null ? [] : [`extendedKeyUsage=${purpose}`]),
    ...(spec.san === undefined ? [] : [`subjectAltName=${spec.san}`]),
    ...(spec.extraExtensions ?? []),
  ];
  await writeFile(ext, lines.join("\n") + "\n");
  await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
  const csr = join(dir, `${spec.name}.csr`);
  await run("openssl", ["req", "-new", "-key", key, "-subj", spec.subject, "-out", csr]);
  const notBefore = offsetDate(spec.notBefore ?? -1);
  const notAfter = offsetDate(spec.notAfter ?? 365);
  // `openssl ca` is the only openssl command that takes both dates; a minimal config drives it.
  const db = join(dir, `${spec.name}.db`);
  await mkdir(db, { recursive: true });
  await writeFile(join(db, "index.txt"), "");
  await writeFile(join(db, "serial"), `${randomBytes(8).toString("hex")}\n`);
  await writeFile(
    join(db, "ca.cnf"),
    [
      "[ca]",
      "default_ca = test",
      "[test]",
      `database = ${join(db, "index.txt")}`,
      `new_certs_dir = ${db}`,
      `serial = ${join(db, "serial")}`,
      "default_md = sha256",
      "policy = any",
      "unique_subject = no",
      "copy_extensions = none",
      "[any]",
      "commonName = supplied",
      "organizationName = optional",
      "",
    ].join("\n"),
  );
  const issuerCert = isCa ? null : join(dir, `${spec.issuer}cert.pem`);
  const issuerKey = isCa ? key : join(dir, `${spec.issuer}key.pem`);
  await run("openssl", [
    "ca", "-batch", "-config", join(db, "ca.cnf"), "-notext",
    ...(isCa ? ["-selfsign"] : ["-cert", issuerCert!]),
    "-keyfile", issuerKey, "-in", csr, "-out", cert, "-extfile", ext,
    "-startdate", notBefore, "-enddate", notAfter,
  ]);
  await chmod(key, 0o644);
  return { cert, key };
}

/**
 * A revocation list `<name>.pem` from `ca`'s files in `dir`, revoking the
 * given certificates; `seconds` makes it valid that long only (an expired
 * CRL once they have passed).
 */
export async function makeCrl(dir: string, ca: string, revoke: string[], name = "cacrl", seconds?: number): Promise<string> {
  const db = join(dir, `${name}.db`);
  await mkdir(db, { recursive: true });
  await writeFile(join(db, "index.txt"), "");
  await writeFile(join(db, "crlnumber"), "01\n");
  const cnf = join(db, "ca.cnf");
  await writeFile(cnf, ["[ca]", "default_ca = test", "[test]", `database = ${join(db, "index.txt")}`, `crlnumber = ${join(db, "crlnumber")}`, "default_md = sha256", "default_crl_days = 30", ""].join("\n"));
  const args = ["-config", cnf, "-cert", join(dir, `${ca}cert.pem`), "-keyfile", join(dir, `${ca}key.pem`)];
  for (const file of revoke) await run("openssl", ["ca", "-batch", ...args, "-revoke", file]);
  const out = join(dir, `${name}.pem`);
  await run("openssl", ["ca", "-batch", ...args, "-gencrl", ...(seconds === undefined ? [] : ["-crlsec", String(seconds)]), "-out", out]);
  return out;
}

/** openssl's YYYYMMDDHHMMSSZ, `days` from now. */
function offsetDate(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
}
