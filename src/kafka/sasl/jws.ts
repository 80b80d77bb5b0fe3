// Signed JSON Web Tokens as Kafka's OIDC validator (jose4j underneath) checks them: the verification
// keys of a JSON Web Key Set (RFC 7517) and the signature of a compact JWS (RFC 7515) under the
// algorithms identity providers sign access tokens with (RFC 7518: RS*, PS*, ES*; RFC 8037: EdDSA),
// with node:crypto only. Symmetric (HS*) keys have no place in a published key set, and "none" is what
// the unsecured validator is for, so neither verifies here.
import { createPublicKey, constants, verify, type KeyObject } from 'node:crypto';

export class JwksError extends Error {
  override readonly name = 'JwksError';
}

/** A key set larger than this is refused: real ones hold a handful of keys. */
export const JWKS_KEYS_MAX = 256;
/** jose4j's floor for RSA keys (RFC 7518 3.3): smaller ones are refused, not used. */
export const RSA_BITS_MIN = 2048;

type Family = { kty: 'RSA'; hash: string; pss: boolean } | { kty: 'EC'; hash: string; curve: string } | { kty: 'OKP'; curve: string };

/** The JWS algorithms served, by name. */
const ALGORITHMS: Record<string, Family> = {
  RS256: { kty: 'RSA', hash: 'sha256', pss: false },
  RS384: { kty: 'RSA', hash: 'sha384', pss: false },
  RS512: { kty: 'RSA', hash: 'sha512', pss: false },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  // Node's names for the JWK curves P-256, P-384 and P-521.
  ES256: { kty: 'EC', hash: 'sha256', curve: 'prime256v1' },
  ES384: { kty: 'EC', hash: 'sha384', curve: 'secp384r1' },
  ES512: { kty: 'EC', hash: 'sha512', curve: 'secp521r1' },
  EdDSA: { kty: 'OKP', curve: 'ed25519' },
};

export const JWS_ALGORITHMS = Object.keys(ALGORITHMS);

/** One usable verification key of a set. */
export interface VerificationKey {
  kid: string | undefined;
  /** The key's own "alg", when it names one: then only that algorithm may use it. */
  alg: string | undefined;
  kty: string;
  key: KeyObject;
}

/**
 * The verification keys of a JWKS document. Keys meant for encryption ("use": "enc"), symmetric and
 * unreadable keys are skipped, as jose4j's selector skips them; a document that is not a key set is refused.
 */
export function verificationKeysOf(text: string): VerificationKey[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new JwksError('not JSON');
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new JwksError('not a JSON Web Key Set (no "keys" array)');
  if (keys.length > JWKS_KEYS_MAX) throw new JwksError(`${keys.length} keys, more than ${JWKS_KEYS_MAX}`);
  const usable: VerificationKey[] = [];
  for (const jwk of keys as unknown[]) {
    if (typeof jwk !== 'object' || jwk === null) continue;
    const { kty, kid, alg, use } = jwk as Record<string, unknown>;
    if ((kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') || (use !== undefined && use !== 'sig')) continue;
    let key: KeyObject;
    try {
      // A JWK holding private members still yields only its public half here.
      key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    } catch {
      continue;
    }
    if (kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < RSA_BITS_MIN) continue;
    usable.push({ kid: typeof kid === 'string' ? kid : undefined, alg: typeof alg === 'string' ? alg : undefined, kty, key });
  }
  return usable;
}

/** Whether `key` may verify a signature made with `alg` (its type, curve, and its own alg if any). */
export function keyFits(key: VerificationKey, alg: string): boolean {
  const family = ALGORITHMS[alg];
  if (!family || family.kty !== key.kty || (key.alg !== undefined && key.alg !== alg)) return false;
  if (family.kty === 'EC') return key.key.asymmetricKeyDetails?.namedCurve === family.curve;
  if (family.kty === 'OKP') return key.key.asymmetricKeyType === family.curve;
  return true;
}

/** Checks a JWS signature over `signingInput` ("<header>.<payload>" as sent) with a key that fits `alg`. */
export function signatureValid(alg: string, key: KeyObject, signingInput: string, signature: Buffer): boolean {
  const family = ALGORITHMS[alg];
  if (!family) return false;
  const data = Buffer.from(signingInput, 'ascii');
  try {
    switch (family.kty) {
      case 'RSA':
        return verify(family.hash, data, family.pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : key, signature);
      case 'EC':
        // JWS carries ECDSA signatures as r || s (RFC 7518 3.4), not DER.
        return verify(family.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'OKP':
        return verify(null, data, key, signature);
    }
  } catch {
    // A signature of the wrong length for the key, for instance.
    return false;
  }
}
