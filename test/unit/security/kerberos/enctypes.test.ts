import { describe, expect, it } from 'vitest';
import { AesSha2Key, ETYPE_AES128_CTS_HMAC_SHA256_128, ETYPE_AES256_CTS_HMAC_SHA384_192, kdfHmacSha2 } from '../../../../src/security/kerberos/aes-cts-hmac-sha2.js';
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

describe('RFC 8009 aes-sha2', () => {
  const label = (kind: number) => Buffer.from([0, 0, 0, 2, kind]);
  it('derives the key-usage 2 keys of RFC 8009 appendix A', () => {
    const base128 = Buffer.from('3705d96080c17728a0e800eab6e0d23c', 'hex');
    expect(kdfHmacSha2('sha256', base128, label(0x99), 16).toString('hex')).toBe('b31a018a48f54776f403e9a396325dc3');
    expect(kdfHmacSha2('sha256', base128, label(0xaa), 16).toString('hex')).toBe('9b197dd1e8c5609d6e67c3e37c62c72e');
    expect(kdfHmacSha2('sha256', base128, label(0x55), 16).toString('hex')).toBe('9fda0e56ab2d85e1569a688696c26a6c');
    const base256 = Buffer.from('6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52', 'hex');
    expect(kdfHmacSha2('sha384', base256, label(0x99), 24).toString('hex')).toBe('ef5718be86cc84963d8bbb5031e9f5c4ba41f28faf69e73d');
    expect(kdfHmacSha2('sha384', base256, label(0xaa), 32).toString('hex')).toBe('56ab22bee63d82d7bc5227f6773f8ea7a5eb1c825160c38312980c442e5c7e49');
    expect(kdfHmacSha2('sha384', base256, label(0x55), 24).toString('hex')).toBe('69b16514e3cd8e56b82010d5c73012b622c4d00ffc23ed1f');
  });

  it.each([ETYPE_AES128_CTS_HMAC_SHA256_128, ETYPE_AES256_CTS_HMAC_SHA384_192])('etype %i round-trips and refuses tampering', (etype) => {
    const key = new AesSha2Key(etype, Buffer.alloc(etype === ETYPE_AES128_CTS_HMAC_SHA256_128 ? 16 : 32, 9));
    for (const length of [0, 1, 16, 33]) {
      const sealed = key.encrypt(11, Buffer.alloc(length, 1), Buffer.alloc(16, 2));
      expect(key.decrypt(11, sealed).equals(Buffer.alloc(length, 1))).toBe(true);
      sealed[sealed.length - 1]! ^= 1;
      expect(() => key.decrypt(11, sealed)).toThrow(KerberosCryptoError);
    }
    expect(key.checksum(22, Buffer.from('x'))).toHaveLength(etype === ETYPE_AES128_CTS_HMAC_SHA256_128 ? 16 : 24);
  });
});
