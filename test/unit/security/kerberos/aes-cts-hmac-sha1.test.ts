import { describe, expect, it } from 'vitest';
import { AesKey, ctsDecrypt, ctsEncrypt, ETYPE_AES128_CTS_HMAC_SHA1_96, ETYPE_AES256_CTS_HMAC_SHA1_96, KerberosCryptoError, nFold } from '../../../../src/security/kerberos/aes-cts-hmac-sha1.js';

describe('n-fold (RFC 3961 appendix A.1 vectors)', () => {
  const vectors: [number, string, string][] = [
    [64, '012345', 'be072631276b1955'],
    [56, 'password', '78a07b6caf85fa'],
    [64, 'Rough Consensus, and Running Code', 'bb6ed30870b7f0e0'],
    [168, 'password', '59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e'],
    [192, 'MASSACHVSETTS INSTITVTE OF TECHNOLOGY', 'db3b0d8f0b061e603282b308a50841229ad798fab9540c1b'],
    [168, 'Q', '518a54a215a8452a518a54a215a8452a518a54a215'],
    [168, 'ba', 'fb25d531ae8974499f52fd92ea9857c4ba24cf297e'],
    [64, 'kerberos', '6b65726265726f73'],
    [128, 'kerberos', '6b65726265726f737b9b5b2b93132b93'],
    [168, 'kerberos', '8372c236344e5f1550cd0747e15d62ca7a5a3bcea4'],
    [256, 'kerberos', '6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4'],
  ];
  it.each(vectors)('%i-fold of %s', (bits, input, hex) => {
    expect(nFold(Buffer.from(input), bits / 8).toString('hex')).toBe(hex);
  });
});

describe('AES CTS (RFC 3962 appendix B vectors)', () => {
  const key = Buffer.from('636869636b656e207465726979616b69', 'hex'); // "chicken teriyaki"
  const text = Buffer.from("I would like the General Gau's Chicken, please, and wonton soup.");
  const outputs: [number, string][] = [
    [17, 'c6353568f2bf8cb4d8a580362da7ff7f97'],
    [31, 'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'],
    [32, '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584'],
    [47, '97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5'],
    [48, '97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8'],
    [64, '97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8'],
  ];
  it.each(outputs)('%i bytes encrypt and decrypt', (length, hex) => {
    const plain = text.subarray(0, length);
    expect(ctsEncrypt(key, plain).toString('hex')).toBe(hex);
    expect(ctsDecrypt(key, Buffer.from(hex, 'hex')).equals(plain)).toBe(true);
  });
});

describe('AesKey', () => {
  it.each([ETYPE_AES128_CTS_HMAC_SHA1_96, ETYPE_AES256_CTS_HMAC_SHA1_96])('etype %i round-trips every length and refuses tampering', (etype) => {
    const key = new AesKey(etype, Buffer.alloc(etype === ETYPE_AES128_CTS_HMAC_SHA1_96 ? 16 : 32, 7));
    for (const length of [0, 1, 15, 16, 17, 100]) {
      const plain = Buffer.alloc(length, length);
      const sealed = key.encrypt(11, plain, Buffer.alloc(16, 3));
      expect(key.decrypt(11, sealed).equals(plain)).toBe(true);
      expect(() => key.decrypt(12, sealed)).toThrow(KerberosCryptoError);
      sealed[0]! ^= 1;
      expect(() => key.decrypt(11, sealed)).toThrow(KerberosCryptoError);
    }
    expect(() => key.decrypt(11, Buffer.alloc(20))).toThrow(KerberosCryptoError);
  });
  it('refuses a key of the wrong size', () => {
    expect(() => new AesKey(ETYPE_AES256_CTS_HMAC_SHA1_96, Buffer.alloc(16))).toThrow(KerberosCryptoError);
  });
});
