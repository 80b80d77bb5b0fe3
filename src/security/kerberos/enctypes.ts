// The encryption types Skein serves, by number: a key of any other type (des, rc4-hmac, camellia) has no
// implementation here, and a ticket or subkey in one is refused naming its number.
import { AesKey, aesKeyBytes, type KerberosKey } from './aes-cts-hmac-sha1.js';
import { AesSha2Key, ETYPE_AES128_CTS_HMAC_SHA256_128, ETYPE_AES256_CTS_HMAC_SHA384_192 } from './aes-cts-hmac-sha2.js';

export const SERVED_ETYPES = 'aes128-cts-hmac-sha1-96 (17), aes256-cts-hmac-sha1-96 (18), aes128-cts-hmac-sha256-128 (19), aes256-cts-hmac-sha384-192 (20)';

/** The key, or undefined when its type is not served or its length does not fit the type. */
export function kerberosKey(etype: number, key: Buffer): KerberosKey | undefined {
  if (aesKeyBytes(etype) === key.length) return new AesKey(etype, key);
  if (etype === ETYPE_AES128_CTS_HMAC_SHA256_128 && key.length === 16) return new AesSha2Key(etype, key);
  if (etype === ETYPE_AES256_CTS_HMAC_SHA384_192 && key.length === 32) return new AesSha2Key(etype, key);
  return undefined;
}
