// Kerberos V5's AES encryption types (RFC 3962 on RFC 3961's simplified profile): aes128-cts-hmac-sha1-96
// (etype 17) and aes256-cts-hmac-sha1-96 (etype 18), the ones MIT's KDC and Java issue by default. Each
// key usage gets its own three keys derived from the base key (DK with n-fold of the usage number);
// ciphertext is AES in CBC mode with ciphertext stealing over a random confounder and the plaintext,
// followed by a truncated HMAC-SHA1 of both. Pure: the confounder comes from the caller when it encrypts.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

export const ETYPE_AES128_CTS_HMAC_SHA1_96 = 17;
export const ETYPE_AES256_CTS_HMAC_SHA1_96 = 18;

const BLOCK = 16;
/** HMAC-SHA1 truncated to 96 bits, for both the integrity tag and checksums. */
export const HMAC_BYTES = 12;
export const CONFOUNDER_BYTES = BLOCK;

export class KerberosCryptoError extends Error {
  override readonly name = 'KerberosCryptoError';
}

/** An AES etype's key size, or undefined for an etype Skein does not serve. */
export function aesKeyBytes(etype: number): number | undefined {
  return etype === ETYPE_AES128_CTS_HMAC_SHA1_96 ? 16 : etype === ETYPE_AES256_CTS_HMAC_SHA1_96 ? 32 : undefined;
}

/** RFC 3961 5.1: n-fold, the input replicated with 13-bit rotations and added in one's complement to `bytes`. */
export function nFold(input: Buffer, bytes: number): Buffer {
  const inBits = input.length * 8;
  const lcm = (input.length * bytes) / gcd(input.length, bytes);
  // The input repeated lcm/len times, each copy rotated right by 13 bits more than the previous one.
  const expanded = Buffer.alloc(lcm);
  for (let copy = 0; copy < lcm / input.length; copy++) {
    const rotation = (13 * copy) % inBits;
    for (let bit = 0; bit < inBits; bit++) {
      if (!(input[bit >> 3]! & (0x80 >> (bit & 7)))) continue;
      const to = (bit + rotation) % inBits;
      expanded[copy * input.length + (to >> 3)]! |= 0x80 >> (to & 7);
    }
  }
  const out = Buffer.alloc(bytes);
  let carry = 0;
  // Sum the chunks byte by byte from the least significant end, then fold the carry back in.
  const sums = new Array<number>(bytes).fill(0);
  for (let chunk = 0; chunk < lcm / bytes; chunk++) for (let i = 0; i < bytes; i++) sums[i]! += expanded[chunk * bytes + i]!;
  for (let pass = 0; pass < 2 || carry > 0; pass++) {
    for (let i = bytes - 1; i >= 0; i--) {
      const v = sums[i]! + carry;
      sums[i] = v & 0xff;
      carry = v >> 8;
    }
  }
  for (let i = 0; i < bytes; i++) out[i] = sums[i]!;
  return out;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function aesEcb(key: Buffer, block: Buffer): Buffer {
  const cipher = createCipheriv(key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** RFC 3961 5.1 DK: the key derived from `base` for `constant` (random-to-key is the identity for AES). */
export function deriveKey(base: Buffer, constant: Buffer): Buffer {
  const parts: Buffer[] = [];
  let block = nFold(constant, BLOCK);
  for (let have = 0; have < base.length; have += BLOCK) {
    block = aesEcb(base, block);
    parts.push(block);
  }
  return Buffer.concat(parts).subarray(0, base.length);
}

function usageConstant(usage: number, kind: 0x99 | 0xaa | 0x55): Buffer {
  const c = Buffer.alloc(5);
  c.writeUInt32BE(usage, 0);
  c[4] = kind;
  return c;
}

const cbcName = (key: Buffer) => (key.length === 16 ? 'aes-128-cbc' : 'aes-256-cbc');

/** RFC 3962 5: AES-CBC with ciphertext stealing and a zero IV; `input` is at least one block. */
export function ctsEncrypt(key: Buffer, input: Buffer): Buffer {
  if (input.length < BLOCK) throw new KerberosCryptoError('CTS input shorter than a block');
  const padded = Buffer.alloc(Math.ceil(input.length / BLOCK) * BLOCK);
  input.copy(padded);
  const cipher = createCipheriv(cbcName(key), key, Buffer.alloc(BLOCK)).setAutoPadding(false);
  const c = Buffer.concat([cipher.update(padded), cipher.final()]);
  if (c.length === BLOCK) return c;
  // The last two blocks swap places and the (new) last one is cut to the length of the final partial block.
  const tail = input.length - (c.length - BLOCK);
  return Buffer.concat([c.subarray(0, c.length - 2 * BLOCK), c.subarray(c.length - BLOCK), c.subarray(c.length - 2 * BLOCK, c.length - 2 * BLOCK + tail)]);
}

export function ctsDecrypt(key: Buffer, input: Buffer): Buffer {
  if (input.length < BLOCK) throw new KerberosCryptoError('CTS ciphertext shorter than a block');
  const decipherBlocks = (blocks: Buffer, iv: Buffer) => {
    const d = createDecipheriv(cbcName(key), key, iv).setAutoPadding(false);
    return Buffer.concat([d.update(blocks), d.final()]);
  };
  if (input.length === BLOCK) return decipherBlocks(input, Buffer.alloc(BLOCK));
  const tail = input.length % BLOCK || BLOCK;
  const headLength = input.length - BLOCK - tail; // full blocks before the swapped pair
  const head = input.subarray(0, headLength);
  const cLast = input.subarray(headLength, headLength + BLOCK); // the real second-to-last ciphertext block, sent last-but-one
  const cPartial = input.subarray(headLength + BLOCK);
  const prev = headLength === 0 ? Buffer.alloc(BLOCK) : head.subarray(headLength - BLOCK);
  // Decrypting the block sent second-to-last with ECB gives P_last XOR C_{n-1}, whose tail is C_{n-1}'s stolen bytes.
  const dn = aesEcbDecrypt(key, cLast);
  const cPrevFull = Buffer.concat([cPartial, dn.subarray(tail)]);
  const pLast = Buffer.alloc(tail);
  for (let i = 0; i < tail; i++) pLast[i] = dn[i]! ^ cPartial[i]!;
  const pPrev = decipherBlocks(cPrevFull, prev);
  return Buffer.concat([headLength === 0 ? Buffer.alloc(0) : decipherBlocks(head, Buffer.alloc(BLOCK)), pPrev, pLast]);
}

function aesEcbDecrypt(key: Buffer, block: Buffer): Buffer {
  const d = createDecipheriv(key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([d.update(block), d.final()]);
}

/** A key of one encryption type: RFC 3961's encrypt, decrypt and keyed checksum, per key usage. */
export interface KerberosKey {
  readonly etype: number;
  readonly key: Buffer;
  /** The ciphertext of confounder | plaintext with its integrity tag. */
  encrypt(usage: number, plaintext: Buffer, confounder: Buffer): Buffer;
  /** The plaintext, or KerberosCryptoError when the integrity check fails (wrong key, tampering). */
  decrypt(usage: number, ciphertext: Buffer): Buffer;
  checksum(usage: number, data: Buffer): Buffer;
}

/** A base key with its derived keys cached per usage (a context uses the same few usages many times). */
export class AesKey implements KerberosKey {
  private readonly derived = new Map<number, Buffer>();

  constructor(
    readonly etype: number,
    readonly key: Buffer,
  ) {
    if (aesKeyBytes(etype) !== key.length) throw new KerberosCryptoError(`etype ${etype} with a key of ${key.length} bytes`);
  }

  private derive(usage: number, kind: 0x99 | 0xaa | 0x55): Buffer {
    const id = usage * 256 + kind;
    let k = this.derived.get(id);
    if (!k) {
      k = deriveKey(this.key, usageConstant(usage, kind));
      this.derived.set(id, k);
    }
    return k;
  }

  /** RFC 3961 5.3: confounder | plaintext, encrypted, then HMAC-SHA1-96 of both under Ki. */
  encrypt(usage: number, plaintext: Buffer, confounder: Buffer): Buffer {
    if (confounder.length !== CONFOUNDER_BYTES) throw new KerberosCryptoError('confounder must be one block');
    const data = Buffer.concat([confounder, plaintext]);
    const mac = createHmac('sha1', this.derive(usage, 0x55)).update(data).digest().subarray(0, HMAC_BYTES);
    return Buffer.concat([ctsEncrypt(this.derive(usage, 0xaa), data), mac]);
  }

  /** The plaintext, or KerberosCryptoError when the integrity check fails (wrong key, tampering). */
  decrypt(usage: number, ciphertext: Buffer): Buffer {
    if (ciphertext.length < CONFOUNDER_BYTES + HMAC_BYTES) throw new KerberosCryptoError('ciphertext too short');
    const body = ciphertext.subarray(0, ciphertext.length - HMAC_BYTES);
    const data = ctsDecrypt(this.derive(usage, 0xaa), body);
    const mac = createHmac('sha1', this.derive(usage, 0x55)).update(data).digest().subarray(0, HMAC_BYTES);
    if (!timingSafeEqual(mac, ciphertext.subarray(ciphertext.length - HMAC_BYTES))) throw new KerberosCryptoError('integrity check failed');
    return data.subarray(CONFOUNDER_BYTES);
  }

  /** RFC 3961 5.4's keyed checksum (hmac-sha1-96-aes): HMAC-SHA1 under Kc, truncated. */
  checksum(usage: number, data: Buffer): Buffer {
    return createHmac('sha1', this.derive(usage, 0x99)).update(data).digest().subarray(0, HMAC_BYTES);
  }
}
