import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TransportError } from "../../src/rpc/errors.js";
import { chainProblem, usageProblems } from "../../src/transport/cert-checks.js";
import { DerError, integerHex, oidText } from "../../src/transport/der.js";
import { findRevocation, parseCrls } from "../../src/transport/revocation.js";
import { certFields, crlFields } from "../../src/transport/x509-fields.js";

// Made once with openssl ca (EC P-256): a CA valid until 2126, a client certificate valid until 2100 whose serial
// has its high bit set (so its DER INTEGER starts with a zero byte), and the CA's CRL revoking it (and an earlier
// certificate), next update in 2126.
const CA = `-----BEGIN CERTIFICATE-----
MIIBYDCCAQWgAwIBAgIJAIChssPU5fYBMAoGCCqGSM49BAMCMBIxEDAOBgNVBAMM
B3VuaXQgQ0EwIBcNMjYxMjA0MTY1MzA1WhgPMjEyNjExMTAxNjUzMDVaMBIxEDAO
BgNVBAMMB3VuaXQgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATIi5vQb/JC
0rzrlcMCt6Uue5KqK8TI38zKcrToVXpsfrfAqoQPvl2R+kFTM4r3LlcdmQ7xfngd
bl8jG6CFNOM4o0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAd
BgNVHQ4EFgQUaQ6qr53toZfpWXAccYTz75nl0PEwCgYIKoZIzj0EAwIDSQAwRgIh
APYfFqjzkzXQgfUe6I/9TlKa70QUgqIBGfqQPxtiu1X6AiEA3qk59S/h9SUhPP88
Yo/kHFMzgRxYy5rm9EbdjyEPVbs=
-----END CERTIFICATE-----`;
const LEAF = `-----BEGIN CERTIFICATE-----
MIIBmDCCAT2gAwIBAgIJAIChssPU5fYDMAoGCCqGSM49BAMCMBIxEDAOBgNVBAMM
B3VuaXQgQ0EwIBcNMjYxMjA0MTcyMDI3WhgPMjEwMDAxMDEwMDAwMDBaMBQxEjAQ
BgNVBAMMCXVuaXQgbGVhZjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABOl7b4Xo
cEzvwE0l46rbAoDoyRRTfFg6wiVQBREjbBaUyTfYv46JCRhKZtzYQrbsu/c5Fqwo
JUHcdUJwEADWzPyjeDB2MAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBYG
A1UdJQEB/wQMMAoGCCsGAQUFBwMCMB0GA1UdDgQWBBT56qBob1MstoQok4kGCDJE
uyPSmTAfBgNVHSMEGDAWgBRpDqqvne2hl+lZcBxxhPPvmeXQ8TAKBggqhkjOPQQD
AgNJADBGAiEA6QD1YalBDhBOhUU9lsFNDHmOUINNe/Nj8zq1smpGzjwCIQCIORJO
UZOIm3kmFN006NUqQMsczF01wxXMEj4y+buF0A==
-----END CERTIFICATE-----`;
const CRL = `-----BEGIN X509 CRL-----
MIHlMIGNAgEBMAoGCCqGSM49BAMCMBIxEDAOBgNVBAMMB3VuaXQgQ0EXDTI2MTIw
NDE3MjAyN1oYDzIxMjYxMTEwMTcyMDI3WjA4MBoCCQCAobLD1OX2AhcNMjYxMjA0
MTY1MzA2WjAaAgkAgKGyw9Tl9gMXDTI2MTIwNDE3MjAyN1qgDjAMMAoGA1UdFAQD
AgECMAoGCCqGSM49BAMCA0cAMEQCIEk/9d4mT2Vkwtxdu6/CIVsqXYtnGbP2m4sB
Zctqhg3YAiA2CeqgsVqQifuVBmZ5lA077fEkmkIMh6oXiOksXpw/WQ==
-----END X509 CRL-----`;

const der = (pem: string): Buffer => Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----|\s/g, ""), "base64");
const ca = new X509Certificate(CA);
const leaf = new X509Certificate(LEAF);

describe("certificate and CRL fields", () => {
  it("reads a serial as hex without the sign byte, the same for a certificate and a CRL entry", () => {
    expect(certFields(leaf.raw).serial).toBe("80a1b2c3d4e5f603");
    expect(leaf.serialNumber.toLowerCase()).toBe("80a1b2c3d4e5f603");
    expect(crlFields(der(CRL)).revoked).toEqual(new Set(["80a1b2c3d4e5f602", "80a1b2c3d4e5f603"]));
    expect(integerHex(Buffer.from([0, 0, 1]))).toBe("01");
    expect(integerHex(Buffer.from([0]))).toBe("00");
  });

  it("reads the issuer name as encoded, equal between the certificate and its CA's CRL, and a GeneralizedTime next update", () => {
    const crl = crlFields(der(CRL));
    expect(crl.issuer.equals(certFields(leaf.raw).issuer)).toBe(true);
    expect(crl.nextUpdate?.toISOString().slice(0, 10)).toBe("2126-11-10");
    expect(crl.signatureAlgorithm).toBe("1.2.840.10045.4.3.2");
  });

  it("reads extension criticality: the leaf's clientAuth purpose is critical, so it is fatal for a server, fine for a client", () => {
    expect(certFields(leaf.raw).extensions.get("2.5.29.37")?.critical).toBe(true);
    expect(usageProblems(leaf, "client")).toEqual({ fatal: undefined, warnings: [] });
    expect(usageProblems(leaf, "server").fatal).toEqual({
      check: "PURPOSE",
      reason: "purpose does not allow use for with a TLS server: its extended key usage lists clientAuth (1.3.6.1.5.5.7.3.2) but not serverAuth (1.3.6.1.5.5.7.3.1)",
    });
    expect(usageProblems(ca, "CA")).toEqual({ fatal: undefined, warnings: [] });
  });

  it("reads an OID's arcs and refuses one whose last arc is cut off", () => {
    // 2.5.29.19 (basicConstraints) and 1.2.840.113549 (RSA's arc, multi-byte).
    expect(oidText(Buffer.from([0x55, 0x1d, 0x13]))).toBe("2.5.29.19");
    expect(oidText(Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]))).toBe("1.2.840.113549");
    expect(() => oidText(Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7]))).toThrow(DerError);
    expect(() => oidText(Buffer.from([0x86]))).toThrow(DerError);
  });

  it("refuses every truncation of a certificate or a CRL with a DerError, never a misread", () => {
    for (const [what, bytes, read] of [["CRL", der(CRL), crlFields], ["certificate", leaf.raw, certFields]] as const) {
      for (let n = 0; n < bytes.length; n++) expect(() => read(bytes.subarray(0, n)), `${what} cut at ${n}`).toThrow(DerError);
    }
  });

  it("reports a cacrl.pem that holds no list, or a broken one, as ERR_TLS_FILE naming the file", () => {
    for (const text of ["", "not a CRL", "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----"]) {
      const e = (() => {
        try {
          parseCrls(text, "/x/cacrl.pem");
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(TransportError);
      expect(e).toMatchObject({ code: "ERR_TLS_FILE", message: expect.stringContaining("/x/cacrl.pem") });
    }
  });
});

describe("findRevocation", () => {
  const crls = parseCrls(CRL, "cacrl.pem");

  it("finds the leaf in its issuer's list, signed by that issuer", () => {
    expect(findRevocation([leaf, ca], [ca], crls, new Date("2030-01-01Z"))).toEqual({ depth: 0, serial: "80a1b2c3d4e5f603", signedByIssuer: true, expired: false });
  });

  it("still uses a list past its next update, as GnuTLS does, and says so", () => {
    expect(findRevocation([leaf, ca], [ca], crls, new Date("2127-01-01Z"))).toMatchObject({ depth: 0, expired: true });
  });

  it("still uses a list whose signature does not verify, as GnuTLS does, and says so", () => {
    const bytes = Buffer.from(der(CRL));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    expect(findRevocation([leaf, ca], [ca], [crlFields(bytes)], new Date("2030-01-01Z"))).toMatchObject({ depth: 0, signedByIssuer: false });
  });

  it("does not look up the trust anchor itself, nor require a list for any issuer", () => {
    expect(findRevocation([ca], [ca], crls)).toBeUndefined();
    expect(findRevocation([leaf, ca], [ca], [])).toBeUndefined();
  });
});

describe("chainProblem (the chain check made when OpenSSL's only complaint is the purpose)", () => {
  it("passes a chain to a trusted CA within the dates", () => {
    expect(chainProblem([leaf, ca], [ca], new Date("2030-01-01Z"))).toBeUndefined();
    expect(chainProblem([leaf], [ca], new Date("2030-01-01Z"))).toBeUndefined();
  });

  it("refuses an expired or not yet valid certificate, an unknown issuer, and an empty chain", () => {
    expect(chainProblem([leaf, ca], [ca], new Date("2101-01-01Z"))).toMatchObject({ check: "EXPIRED" }); // the leaf only
    expect(chainProblem([leaf, ca], [ca], new Date("2127-01-01Z"))).toMatchObject({ check: "EXPIRED" });
    expect(chainProblem([leaf, ca], [ca], new Date("2000-01-01Z"))).toMatchObject({ check: "NOT_ACTIVE" });
    expect(chainProblem([leaf, ca], [], new Date("2030-01-01Z"))).toMatchObject({ check: "CA" });
    expect(chainProblem([leaf], [leaf], new Date("2030-01-01Z"))).toMatchObject({ check: "CA" });
    expect(chainProblem([], [ca])).toMatchObject({ check: "CA" });
  });
});
