import { X509Certificate } from "node:crypto";
import type { DetailedPeerCertificate, TLSSocket } from "node:tls";
import { certFields, keyUsage, OID, purposes } from "./x509-fields.js";

/** A failed check: the code's suffix (`ERR_TLS_<check>`) and libvirt's words for it. */
export interface CertProblem {
  check: string;
  reason: string;
}

/** The daemon's chain as node:tls saw it, its own certificate first, each issuer after. */
export function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  for (let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true); c?.raw !== undefined && chain.length < 16; c = c.issuerCertificate) {
    const cert = new X509Certificate(c.raw);
    if (chain.some((seen) => seen.raw.equals(cert.raw))) break;
    chain.push(cert);
  }
  return chain;
}

/**
 * The chain check GnuTLS makes (signatures up to a trusted CA, every
 * certificate within its dates and without a critical extension it does
 * not understand, issuers CAs), without OpenSSL's purpose
 * check, which libvirt does not make: used when OpenSSL's only complaint
 * was the purpose, since OpenSSL reports one error only.
 */
export function chainProblem(chain: readonly X509Certificate[], cas: readonly X509Certificate[], now = new Date()): CertProblem | undefined {
  let cert = chain[0];
  for (let depth = 0; cert !== undefined && depth < 16; depth++) {
    const dated = datesProblem(cert, now) ?? criticalProblem(cert);
    if (dated !== undefined) return dated;
    const current = cert;
    const issuedBy = (issuer: X509Certificate): boolean => current.checkIssued(issuer) && current.verify(issuer.publicKey);
    const anchor = cas.find(issuedBy);
    if (anchor !== undefined) return datesProblem(anchor, now);
    cert = chain.slice(1).find((c) => c.ca && issuedBy(c));
  }
  return { check: "CA", reason: "The certificate hasn't got a known issuer." };
}

/** Extensions both OpenSSL and GnuTLS understand; any other marked critical makes a certificate invalid for both. */
const UNDERSTOOD = new Set([
  "2.5.29.15", // keyUsage
  "2.5.29.17", // subjectAltName
  "2.5.29.19", // basicConstraints
  "2.5.29.30", // nameConstraints
  "2.5.29.32", // certificatePolicies
  "2.5.29.33", // policyMappings
  "2.5.29.36", // policyConstraints
  "2.5.29.37", // extKeyUsage
  "2.5.29.54", // inhibitAnyPolicy
]);

function criticalProblem(cert: X509Certificate): CertProblem | undefined {
  const unknown = [...certFields(cert.raw).extensions].find(([oid, ext]) => ext.critical && !UNDERSTOOD.has(oid));
  return unknown === undefined ? undefined : { check: "CHAIN", reason: `Invalid certificate (a critical extension nobody here understands, ${unknown[0]}).` };
}

function datesProblem(cert: X509Certificate, now: Date): CertProblem | undefined {
  if (new Date(cert.validTo) < now) return { check: "EXPIRED", reason: "The certificate has expired." };
  if (new Date(cert.validFrom) > now) return { check: "NOT_ACTIVE", reason: "The certificate is not yet active." };
  return undefined;
}

/**
 * libvirt's checks of the daemon's own certificate after the chain
 * (virNetTLSCertValidate): not a CA, then the key usage and purpose of a
 * server (usageProblems).
 */
export function serverCertProblems(cert: X509Certificate): { fatal: CertProblem | undefined; warnings: string[] } {
  if (cert.ca) return { fatal: { check: "CONSTRAINTS", reason: "basic constraints show a CA, but we need one for a server" }, warnings: [] };
  return usageProblems(cert, "server");
}

/**
 * Key usage and extended key usage as libvirt checks them for a server or
 * client certificate: key usage allowing digital signature and key
 * encipherment (even for EC keys, as of libvirt 11.3), or for a CA
 * certificate signing; an extended key usage allowing the role. Each is
 * fatal only when its extension is critical; otherwise it is a warning, as
 * libvirt logs it and goes on.
 */
export function usageProblems(cert: X509Certificate, role: "server" | "client" | "CA"): { fatal: CertProblem | undefined; warnings: string[] } {
  const { extensions } = certFields(cert.raw);
  const found: { critical: boolean; check: string; reason: string }[] = [];
  const usage = extensions.get(OID.keyUsage);
  if (usage !== undefined) {
    const bits = keyUsage(usage.value);
    const missing = role === "CA" ? [!bits.keyCertSign && "certificate signing"] : [!bits.digitalSignature && "digital signature", !bits.keyEncipherment && "key encipherment"];
    for (const what of missing) if (what !== false) found.push({ critical: usage.critical, check: "KEY_USAGE", reason: `usage does not permit ${what}` });
  }
  const purpose = extensions.get(OID.extKeyUsage);
  if (purpose !== undefined && role !== "CA") {
    const oids = purposes(purpose.value);
    const wanted = role === "server" ? OID.serverAuth : OID.clientAuth;
    // As libvirt counts them: the role's own purpose allows; the other role's and anyExtendedKeyUsage do not; any other purpose allows.
    const allows = oids.some((oid) => oid === wanted || (oid !== OID.serverAuth && oid !== OID.clientAuth && oid !== OID.anyExtendedKeyUsage));
    if (!allows) {
      found.push({
        critical: purpose.critical,
        check: "PURPOSE",
        reason: `purpose does not allow use for with a TLS ${role}: its extended key usage lists ${oids.map(purposeName).join(", ")} but not ${purposeName(wanted)}`,
      });
    }
  }
  const fatal = found.find((f) => f.critical);
  return {
    fatal: fatal === undefined ? undefined : { check: fatal.check, reason: fatal.reason },
    warnings: found.filter((f) => !f.critical).map((f) => f.reason),
  };
}

function purposeName(oid: string): string {
  const names: Record<string, string> = { [OID.serverAuth]: "serverAuth", [OID.clientAuth]: "clientAuth", [OID.anyExtendedKeyUsage]: "anyExtendedKeyUsage" };
  return names[oid] === undefined ? oid : `${names[oid]} (${oid})`;
}
