// The certificates of a PKCS#12 truststore (RFC 7292), as PEM for Node's `ca` option. Node reads a
// PKCS#12 keystore itself but not one without a private key, and a truststore is exactly that.
//
// Certificates sit in SafeContents that are either plain or encrypted. Encryption with PBES2 (PBKDF2 and
// AES-CBC) is what OpenSSL 3 and Java 11.0.12+ keytool write by default and is read here; the older
// RC2-40 and 3DES schemes are refused with how to convert the file. The MAC is not checked: a wrong
// password shows as a failed decryption, and a truststore holds no secret to protect.
import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { derChildren, DerError, derRoot, DerTag, expectTag, oidString, smallInteger, type DerNode } from './der.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
} as const;

const PBKDF2_PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

const AES_CBC: Record<string, { cipher: string; keyBytes: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyBytes: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyBytes: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyBytes: 32 },
};

/** PBKDF2 iteration counts above this are refused: a hostile file must not make startup spin. */
const MAX_ITERATIONS = 10_000_000;

export class Pkcs12Error extends Error {
  override readonly name = 'Pkcs12Error';
}

/** The X.509 certificates in a PKCS#12 file, each as PEM. Throws Pkcs12Error saying what is wrong. */
export function pkcs12Certificates(file: Buffer, password: string): string[] {
  try {
    const pfx = derChildren(expectTag(derRoot(file), DerTag.SEQUENCE, 'PFX').contents);
    const authSafe = dataOf(pfx[1], 'authSafe');
    const certificates: string[] = [];
    for (const info of derChildren(expectTag(derRoot(authSafe), DerTag.SEQUENCE, 'AuthenticatedSafe').contents)) {
      const [type, content] = derChildren(expectTag(info, DerTag.SEQUENCE, 'ContentInfo').contents);
      const contentType = oidString(expectTag(type, DerTag.OID, 'contentType').contents);
      const safeContents =
        contentType === OID.data ? dataOf(info, 'SafeContents') : contentType === OID.encryptedData ? decrypt(content, password) : undefined;
      if (safeContents) certificates.push(...certificatesIn(safeContents));
    }
    if (certificates.length === 0) throw new Pkcs12Error('it holds no certificate');
    return certificates;
  } catch (err) {
    if (err instanceof DerError) throw new Pkcs12Error(`not a readable PKCS#12 file: ${err.message}`);
    throw err;
  }
}

/** The OCTET STRING inside a ContentInfo of type data. */
function dataOf(info: DerNode | undefined, what: string): Buffer {
  const [type, content] = derChildren(expectTag(info, DerTag.SEQUENCE, what).contents);
  if (oidString(expectTag(type, DerTag.OID, what).contents) !== OID.data) throw new Pkcs12Error(`${what} is not of type data`);
  return expectTag(derRoot(expectTag(content, DerTag.CONTEXT_0, what).contents), DerTag.OCTET_STRING, what).contents;
}

function certificatesIn(safeContents: Buffer): string[] {
  const out: string[] = [];
  for (const bag of derChildren(expectTag(derRoot(safeContents), DerTag.SEQUENCE, 'SafeContents').contents)) {
    const [bagId, bagValue] = derChildren(expectTag(bag, DerTag.SEQUENCE, 'SafeBag').contents);
    if (oidString(expectTag(bagId, DerTag.OID, 'bagId').contents) !== OID.certBag) continue;
    const [certId, certValue] = derChildren(expectTag(derRoot(expectTag(bagValue, DerTag.CONTEXT_0, 'bagValue').contents), DerTag.SEQUENCE, 'CertBag').contents);
    if (oidString(expectTag(certId, DerTag.OID, 'certId').contents) !== OID.x509Certificate) continue;
    const der = expectTag(derRoot(expectTag(certValue, DerTag.CONTEXT_0, 'certValue').contents), DerTag.OCTET_STRING, 'certificate').contents;
    out.push(`-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
  }
  return out;
}

/** EncryptedData's content, decrypted: PBES2 with PBKDF2 and AES-CBC only. */
function decrypt(content: DerNode | undefined, password: string): Buffer {
  const encryptedData = derChildren(expectTag(derRoot(expectTag(content, DerTag.CONTEXT_0, 'EncryptedData').contents), DerTag.SEQUENCE, 'EncryptedData').contents);
  const [, algorithm, encrypted] = derChildren(expectTag(encryptedData[1], DerTag.SEQUENCE, 'EncryptedContentInfo').contents);
  const [algorithmId, params] = derChildren(expectTag(algorithm, DerTag.SEQUENCE, 'contentEncryptionAlgorithm').contents);
  const scheme = oidString(expectTag(algorithmId, DerTag.OID, 'algorithm').contents);
  if (scheme !== OID.pbes2) {
    throw new Pkcs12Error(
      `its certificates are encrypted with the legacy scheme ${scheme}; rewrite it with PBES2/AES (openssl pkcs12 -export -nokeys, or keytool -importkeystore with -J-Dkeystore.pkcs12.certProtectionAlgorithm=PBEWithHmacSHA256AndAES_256)`,
    );
  }
  const [kdf, enc] = derChildren(expectTag(params, DerTag.SEQUENCE, 'PBES2-params').contents);
  const [kdfId, kdfParams] = derChildren(expectTag(kdf, DerTag.SEQUENCE, 'keyDerivationFunc').contents);
  if (oidString(expectTag(kdfId, DerTag.OID, 'kdf').contents) !== OID.pbkdf2) throw new Pkcs12Error('its key derivation is not PBKDF2');
  const kdfFields = derChildren(expectTag(kdfParams, DerTag.SEQUENCE, 'PBKDF2-params').contents);
  const salt = expectTag(kdfFields[0], DerTag.OCTET_STRING, 'salt').contents;
  const iterations = smallInteger(expectTag(kdfFields[1], DerTag.INTEGER, 'iterationCount').contents);
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw new Pkcs12Error(`PBKDF2 iteration count ${iterations} is out of range`);
  // keyLength (INTEGER) and prf (SEQUENCE) are both optional; the prf defaults to HMAC-SHA1.
  const prfNode = kdfFields.slice(2).find((n) => n.tag === DerTag.SEQUENCE);
  const prfOid = prfNode ? oidString(expectTag(derChildren(prfNode.contents)[0], DerTag.OID, 'prf').contents) : '1.2.840.113549.2.7';
  const digest = PBKDF2_PRFS[prfOid];
  if (!digest) throw new Pkcs12Error(`its PBKDF2 pseudo-random function ${prfOid} is not supported`);
  const [encId, iv] = derChildren(expectTag(enc, DerTag.SEQUENCE, 'encryptionScheme').contents);
  const aes = AES_CBC[oidString(expectTag(encId, DerTag.OID, 'encryptionScheme').contents)];
  if (!aes) throw new Pkcs12Error('its certificates are not encrypted with AES-CBC');
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, aes.keyBytes, digest);
  const ciphertext =
    encrypted?.tag === DerTag.CONTEXT_0_PRIMITIVE
      ? encrypted.contents
      : Buffer.concat(derChildren(expectTag(encrypted, DerTag.CONTEXT_0, 'encryptedContent').contents).map((n) => expectTag(n, DerTag.OCTET_STRING, 'encryptedContent').contents));
  try {
    const decipher = createDecipheriv(aes.cipher, key, expectTag(iv, DerTag.OCTET_STRING, 'iv').contents);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new Pkcs12Error('its certificates cannot be decrypted: wrong password?');
  }
}
