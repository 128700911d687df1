import { TAG, children, contents, DerError, expect, integerHex, oidText, readTlv, timeValue, whole, type Tlv } from "./der.js";

/** What libvirt's checks read from a certificate and node:crypto does not give. */
export interface CertFields {
  /** The issuer Name, as encoded: CRLs are matched to it byte for byte, as GnuTLS does. */
  issuer: Buffer;
  serial: string;
  extensions: Map<string, { critical: boolean; value: Buffer }>;
}

/** A certificate revocation list. */
export interface CrlFields {
  issuer: Buffer;
  /** The signed part and its signature, to check the list against its issuer's key. */
  signed: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
  nextUpdate: Date | undefined;
  /** Serials (as integerHex) of the revoked certificates. */
  revoked: Set<string>;
}

export const OID = {
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  anyExtendedKeyUsage: "2.5.29.37.0",
} as const;

function top(der: Buffer): { outer: Tlv; parts: Tlv[] } {
  const outer = expect(readTlv(der, 0), TAG.sequence, "a SEQUENCE");
  if (outer.end !== der.length) throw new DerError("trailing bytes after the structure");
  return { outer, parts: children(der, outer) };
}

export function certFields(der: Buffer): CertFields {
  const tbs = children(der, expect(top(der).parts[0], TAG.sequence, "tbsCertificate"));
  const fields = tbs[0]?.tag === TAG.context0 ? tbs.slice(1) : tbs;
  const serial = expect(fields[0], TAG.integer, "serialNumber");
  const issuer = expect(fields[2], TAG.sequence, "issuer");
  const extensions = new Map<string, { critical: boolean; value: Buffer }>();
  const wrapper = fields.find((f) => f.tag === TAG.context3);
  if (wrapper !== undefined) {
    for (const ext of children(der, expect(readTlv(der, wrapper.start, wrapper.end), TAG.sequence, "extensions"))) {
      const [id, second, third] = children(der, ext);
      const critical = second?.tag === TAG.boolean && der[second.start] !== 0;
      const value = expect(second?.tag === TAG.boolean ? third : second, TAG.octetString, "extnValue");
      extensions.set(oidText(contents(der, expect(id, TAG.oid, "extnID"))), { critical, value: contents(der, value) });
    }
  }
  return { issuer: whole(der, issuer), serial: integerHex(contents(der, serial)), extensions };
}

export function crlFields(der: Buffer): CrlFields {
  const { parts } = top(der);
  const tbsTlv = expect(parts[0], TAG.sequence, "tbsCertList");
  const algorithm = expect(parts[1], TAG.sequence, "signatureAlgorithm");
  const bits = contents(der, expect(parts[2], TAG.bitString, "signatureValue"));
  const tbs = children(der, tbsTlv);
  let i = tbs[0]?.tag === TAG.integer ? 1 : 0;
  expect(tbs[i++], TAG.sequence, "signature");
  const issuer = expect(tbs[i++], TAG.sequence, "issuer");
  const isTime = (t: Tlv | undefined): t is Tlv => t !== undefined && (t.tag === TAG.utcTime || t.tag === TAG.generalizedTime);
  if (!isTime(tbs[i++])) throw new DerError("expected thisUpdate");
  const next = tbs[i];
  const nextUpdate = isTime(next) ? timeValue(der, next) : undefined;
  if (nextUpdate !== undefined) i++;
  const revoked = new Set<string>();
  if (tbs[i]?.tag === TAG.sequence) {
    for (const entry of children(der, tbs[i]!)) revoked.add(integerHex(contents(der, expect(children(der, entry)[0], TAG.integer, "userCertificate"))));
  }
  return {
    issuer: whole(der, issuer),
    signed: whole(der, tbsTlv),
    signatureAlgorithm: oidText(contents(der, expect(children(der, algorithm)[0], TAG.oid, "algorithm"))),
    signature: bits.subarray(1),
    nextUpdate,
    revoked,
  };
}

/** The KeyUsage bits libvirt looks at. */
export function keyUsage(value: Buffer): { digitalSignature: boolean; keyEncipherment: boolean; keyCertSign: boolean } {
  const bits = contents(value, expect(readTlv(value, 0), TAG.bitString, "KeyUsage"));
  const first = bits[1] ?? 0;
  return { digitalSignature: (first & 0x80) !== 0, keyEncipherment: (first & 0x20) !== 0, keyCertSign: (first & 0x04) !== 0 };
}

/** The OIDs of an ExtendedKeyUsage extension. */
export function purposes(value: Buffer): string[] {
  return children(value, expect(readTlv(value, 0), TAG.sequence, "ExtKeyUsageSyntax")).map((t) => oidText(contents(value, expect(t, TAG.oid, "KeyPurposeId"))));
}
