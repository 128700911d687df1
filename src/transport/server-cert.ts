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
 * certificate within its dates, issuers CAs), without OpenSSL's purpose
 * check, which libvirt does not make: used when OpenSSL's only complaint
 * was the purpose, since OpenSSL reports one error only.
 */
export function chainProblem(chain: readonly X509Certificate[], cas: readonly X509Certificate[], now = new Date()): CertProblem | undefined {
  let cert = chain[0];
  for (let depth = 0; cert !== undefined && depth < 16; depth++) {
    const dated = datesProblem(cert, now);
    if (dated !== undefined) return dated;
    const current = cert;
    const issuedBy = (issuer: X509Certificate): boolean => current.checkIssued(issuer) && current.verify(issuer.publicKey);
    const anchor = cas.find(issuedBy);
    if (anchor !== undefined) return datesProblem(anchor, now);
    cert = chain.slice(1).find((c) => c.ca && issuedBy(c));
  }
  return { check: "CA", reason: "The certificate hasn't got a known issuer." };
}

function datesProblem(cert: X509Certificate, now: Date): CertProblem | undefined {
  if (new Date(cert.validTo) < now) return { check: "EXPIRED", reason: "The certificate has expired." };
  if (new Date(cert.validFrom) > now) return { check: "NOT_ACTIVE", reason: "The certificate is not yet active." };
  return undefined;
}

/**
 * libvirt's checks of the daemon's own certificate after the chain
 * (virNetTLSCertValidate): not a CA; key usage allowing digital signature
 * and key encipherment, fatal only when the extension is critical (even for
 * EC keys, as of libvirt 11.3); an extended key usage allowing a TLS
 * server, again fatal only when critical. What is not fatal is a warning,
 * as libvirt logs it and connects.
 */
export function serverCertProblems(cert: X509Certificate): { fatal: CertProblem | undefined; warnings: string[] } {
  if (cert.ca) return { fatal: { check: "CONSTRAINTS", reason: "basic constraints show a CA, but we need one for a server" }, warnings: [] };
  const { extensions } = certFields(cert.raw);
  const found: { critical: boolean; reason: string }[] = [];
  const usage = extensions.get(OID.keyUsage);
  if (usage !== undefined) {
    const bits = keyUsage(usage.value);
    if (!bits.digitalSignature) found.push({ critical: usage.critical, reason: "usage does not permit digital signature" });
    if (!bits.keyEncipherment) found.push({ critical: usage.critical, reason: "usage does not permit key encipherment" });
  }
  const purpose = extensions.get(OID.extKeyUsage);
  if (purpose !== undefined) {
    const oids = purposes(purpose.value);
    // As libvirt counts them: serverAuth allows, clientAuth and anyExtendedKeyUsage do not, any other purpose allows.
    const allowsServer = oids.some((oid) => oid === OID.serverAuth || (oid !== OID.clientAuth && oid !== OID.anyExtendedKeyUsage));
    if (!allowsServer) {
      found.push({
        critical: purpose.critical,
        reason: `purpose does not allow use for with a TLS server: its extended key usage lists ${oids.map(purposeName).join(", ")} but not serverAuth (${OID.serverAuth})`,
      });
    }
  }
  const fatal = found.find((f) => f.critical);
  return {
    fatal: fatal === undefined ? undefined : { check: fatal.reason.startsWith("purpose") ? "PURPOSE" : "KEY_USAGE", reason: fatal.reason },
    warnings: found.filter((f) => !f.critical).map((f) => f.reason),
  };
}

function purposeName(oid: string): string {
  const names: Record<string, string> = { [OID.serverAuth]: "serverAuth", [OID.clientAuth]: "clientAuth", [OID.anyExtendedKeyUsage]: "anyExtendedKeyUsage" };
  return names[oid] === undefined ? oid : `${names[oid]} (${oid})`;
}
