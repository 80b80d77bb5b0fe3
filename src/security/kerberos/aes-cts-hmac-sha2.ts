// Kerberos V5's AES encryption types with SHA-2 (RFC 8009): aes128-cts-hmac-sha256-128 (etype 19) and
// aes256-cts-hmac-sha384-192 (etype 20), what MIT, Heimdal and Java 17+ use when a site turns them on.
// The same AES-CTS as RFC 3962, but keys are derived with KDF-HMAC-SHA2 (SP 800-108 counter mode) and
// the integrity tag is an HMAC over the zero IV and the ciphertext rather than over the plaintext.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CONFOUNDER_BYTES, ctsDecrypt, ctsEncrypt, KerberosCryptoError, type KerberosKey } from './aes-cts-hmac-sha1.js';

export const ETYPE_AES128_CTS_HMAC_SHA256_128 = 19;
export const ETYPE_AES256_CTS_HMAC_SHA384_192 = 20;

interface Profile {
  hash: 'sha256' | 'sha384';
  keyBytes: number;
  /** The MAC and checksum length, and the length of Kc and Ki. */
  macBytes: number;
}

const PROFILES: Record<number, Profile> = {
  [ETYPE_AES128_CTS_HMAC_SHA256_128]: { hash: 'sha256', keyBytes: 16, macBytes: 16 },
  [ETYPE_AES256_CTS_HMAC_SHA384_192]: { hash: 'sha384', keyBytes: 32, macBytes: 24 },
};

/** RFC 8009 3: KDF-HMAC-SHA2(key, label, k) = the first k bits of HMAC(key, 00000001 | label | 00 | k). */
export function kdfHmacSha2(hash: 'sha256' | 'sha384', key: Buffer, label: Buffer, bytes: number): Buffer {
  const bits = Buffer.alloc(4);
  bits.writeUInt32BE(bytes * 8);
  return createHmac(hash, key).update(Buffer.from([0, 0, 0, 1])).update(label).update(Buffer.from([0])).update(bits).digest().subarray(0, bytes);
}

export class AesSha2Key implements KerberosKey {
  private readonly profile: Profile;
  private readonly derived = new Map<number, Buffer>();

  constructor(
    readonly etype: number,
    readonly key: Buffer,
  ) {
    const profile = PROFILES[etype];
    if (!profile || profile.keyBytes !== key.length) throw new KerberosCryptoError(`etype ${etype} with a key of ${key.length} bytes`);
    this.profile = profile;
  }

  private derive(usage: number, kind: 0x99 | 0xaa | 0x55): Buffer {
    const id = usage * 256 + kind;
    let k = this.derived.get(id);
    if (!k) {
      const label = Buffer.alloc(5);
      label.writeUInt32BE(usage);
      label[4] = kind;
      // Ke is as long as the key; Kc and Ki as long as the MAC.
      k = kdfHmacSha2(this.profile.hash, this.key, label, kind === 0xaa ? this.profile.keyBytes : this.profile.macBytes);
      this.derived.set(id, k);
    }
    return k;
  }

  private mac(usage: number, ciphertext: Buffer): Buffer {
    return createHmac(this.profile.hash, this.derive(usage, 0x55)).update(Buffer.alloc(16)).update(ciphertext).digest().subarray(0, this.profile.macBytes);
  }

  encrypt(usage: number, plaintext: Buffer, confounder: Buffer): Buffer {
    if (confounder.length !== CONFOUNDER_BYTES) throw new KerberosCryptoError('confounder must be one block');
    const c = ctsEncrypt(this.derive(usage, 0xaa), Buffer.concat([confounder, plaintext]));
    return Buffer.concat([c, this.mac(usage, c)]);
  }

  decrypt(usage: number, ciphertext: Buffer): Buffer {
    const macBytes = this.profile.macBytes;
    if (ciphertext.length < CONFOUNDER_BYTES + macBytes) throw new KerberosCryptoError('ciphertext too short');
    const c = ciphertext.subarray(0, ciphertext.length - macBytes);
    if (!timingSafeEqual(this.mac(usage, c), ciphertext.subarray(ciphertext.length - macBytes))) throw new KerberosCryptoError('integrity check failed');
    return ctsDecrypt(this.derive(usage, 0xaa), c).subarray(CONFOUNDER_BYTES);
  }

  checksum(usage: number, data: Buffer): Buffer {
    return createHmac(this.profile.hash, this.derive(usage, 0x99)).update(data).digest().subarray(0, this.profile.macBytes);
  }
}
