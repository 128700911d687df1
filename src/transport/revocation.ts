import { verify, type X509Certificate } from "node:crypto";
import { TransportError } from "../errors.js";
import { certFields, crlFields, type CrlFields } from "./x509-fields.js";

/**
 * Revocation as GnuTLS checks it for libvirt's client: each certificate of
 * the daemon's chain below the trusted CA is looked up in the revocation
 * lists whose issuer name is that certificate's issuer name. A list is used
 * when there is one for a certificate's issuer; none is required for every
 * issuer, and a list for some other CA changes nothing. GnuTLS (as libvirt
 * sets it up) neither checks a list's signature nor its next-update date:
 * an expired list still revokes. We check the signature too, to say so in
 * the message, but refuse either way, as virsh does.
 */
export interface Revocation {
  /** Position in the chain: 0 is the daemon's own certificate. */
  depth: number;
  serial: string;
  /** Whether the list that names it verifies with its issuer's key. */
  signedByIssuer: boolean;
  expired: boolean;
}

/** Parses `cacrl.pem` (one or more PEM lists) before anything is dialled, as libvirt loads it. */
export function parseCrls(pem: string | Buffer, file: string): CrlFields[] {
  const blocks = pem.toString().match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g) ?? [];
  try {
    if (blocks.length === 0) throw new Error("no PEM revocation list found");
    return blocks.map((b) => crlFields(Buffer.from(b.replace(/-----[A-Z0-9 ]+-----|\s/g, ""), "base64")));
  } catch (e) {
    throw new TransportError("tls", `Unable to set x509 certificate revocation list: ${file}: ${(e as Error).message}`, { code: "ERR_TLS_FILE", cause: e });
  }
}

/**
 * The first revoked certificate of `chain` (leaf first, each certificate's
 * issuer after it), skipping those in `trusted` (GnuTLS does not look up
 * the trust anchors themselves).
 */
export function findRevocation(chain: readonly X509Certificate[], trusted: readonly X509Certificate[], crls: readonly CrlFields[], now = new Date()): Revocation | undefined {
  for (const [depth, cert] of chain.entries()) {
    if (trusted.some((t) => t.raw.equals(cert.raw))) break;
    const { issuer, serial } = certFields(cert.raw);
    for (const crl of crls) {
      if (!crl.issuer.equals(issuer) || !crl.revoked.has(serial)) continue;
      const issuerCert = chain[depth + 1] ?? trusted.find((t) => cert.checkIssued(t));
      return {
        depth,
        serial,
        signedByIssuer: issuerCert !== undefined && signedBy(crl, issuerCert),
        expired: crl.nextUpdate !== undefined && crl.nextUpdate < now,
      };
    }
  }
  return undefined;
}

/** Digest of each signature algorithm a CRL may use (null: the algorithm has its own). */
const DIGESTS: Readonly<Record<string, string | null>> = {
  "1.2.840.113549.1.1.5": "sha1",
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
  "1.2.840.10045.4.1": "sha1",
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.3.101.112": null,
  "1.3.101.113": null,
};

function signedBy(crl: CrlFields, issuer: X509Certificate): boolean {
  const digest = DIGESTS[crl.signatureAlgorithm];
  if (digest === undefined) return false;
  try {
    return verify(digest, crl.signed, issuer.publicKey, crl.signature);
  } catch {
    return false;
  }
}
