// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka's ScramSaslServer serves them:
//   client-first  n,[a=authzid],n=user,r=cnonce[,ext]
//   server-first  r=cnonce+snonce,s=salt,i=iterations
//   client-final  c=base64(gs2 header),r=cnonce+snonce,p=proof
//   server-final  v=server signature
// A credential is what Kafka stores (salt, StoredKey, ServerKey, iterations), never the password, and the
// proof is checked in constant time. A fresh server nonce per exchange makes a replayed client-final fail;
// a message out of order fails to parse as the one expected. Every refusal gets the same message, Kafka's
// for invalid credentials, so a client learns nothing about which part was wrong or whether the user exists.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SaslAuthenticationError, type SaslExchange, type SaslMechanism, type SaslStep } from './mechanism.js';

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanismName = (typeof SCRAM_MECHANISMS)[number];
/** Kafka's ScramMechanism ids, as the SCRAM credential APIs carry them (0 is UNKNOWN). */
export const MECHANISM_IDS: Readonly<Record<ScramMechanismName, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };

/** Kafka's bounds on a credential's iterations (ScramMechanism.minIterations / maxIterations). */
export const MIN_ITERATIONS = 4096;
export const MAX_ITERATIONS = 16384;

export const SCRAM_HASH: Record<ScramMechanismName, 'sha256' | 'sha512'> = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' };

export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

export const hmac = (hash: string, key: Buffer, data: Buffer | string) => createHmac(hash, key).update(data).digest();

export function saltedPassword(mechanism: ScramMechanismName, password: string, salt: Buffer, iterations: number): Buffer {
  const hash = SCRAM_HASH[mechanism];
  return pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, createHash(hash).digest().length, hash);
}

/** The stored credential for a salted password (what AlterUserScramCredentials carries). */
export function credentialFromSalted(mechanism: ScramMechanismName, salted: Buffer, salt: Buffer, iterations: number): ScramCredential {
  const hash = SCRAM_HASH[mechanism];
  const clientKey = hmac(hash, salted, 'Client Key');
  return { salt, storedKey: createHash(hash).update(clientKey).digest(), serverKey: hmac(hash, salted, 'Server Key'), iterations };
}

/**
 * Whether `password` is the one a stored credential was made from: what a SCRAM exchange proves, checked
 * directly where the password itself arrives (the console's HTTP Basic authentication).
 */
export function passwordMatches(mechanism: ScramMechanismName, password: string, c: ScramCredential): boolean {
  const { storedKey } = credentialFromSalted(mechanism, saltedPassword(mechanism, password, c.salt, c.iterations), c.salt, c.iterations);
  return storedKey.length === c.storedKey.length && timingSafeEqual(storedKey, c.storedKey);
}

/** Kafka's text form in /config/users/<user>: salt=..,stored_key=..,server_key=..,iterations=.. */
export function formatCredential(c: ScramCredential): string {
  return `salt=${c.salt.toString('base64')},stored_key=${c.storedKey.toString('base64')},server_key=${c.serverKey.toString('base64')},iterations=${c.iterations}`;
}

export function parseCredential(text: string): ScramCredential | undefined {
  const fields = scramAttributes(text);
  const iterations = Number(fields.get('iterations'));
  const salt = fields.get('salt');
  const storedKey = fields.get('stored_key');
  const serverKey = fields.get('server_key');
  if (salt === undefined || storedKey === undefined || serverKey === undefined || !Number.isInteger(iterations)) return undefined;
  return { salt: Buffer.from(salt, 'base64'), storedKey: Buffer.from(storedKey, 'base64'), serverKey: Buffer.from(serverKey, 'base64'), iterations };
}

/** "k=v,k=v" with values that may themselves hold "=" (base64). */
export function scramAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** RFC 5802's saslname: "=2C" is ",", "=3D" is "="; any other "=" is malformed. */
function decodeSaslName(name: string): string | undefined {
  if (/=(?!2C|3D)/.test(name)) return undefined;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export type CredentialLookup = (user: string, mechanism: ScramMechanismName) => Promise<ScramCredential | undefined>;

const CLIENT_FIRST = /^(n|y),(?:a=([^,]*))?,(n=([^,]*),r=([\x21-\x2b\x2d-\x7e]+)(?:,.*)?)$/s;
const CLIENT_FINAL = /^(c=([^,]*),r=([^,]*)(?:,[^p][^,]*)*),p=([A-Za-z0-9+/=]+)$/s;

export class ScramMechanism implements SaslMechanism {
  constructor(
    readonly name: ScramMechanismName,
    private readonly lookup: CredentialLookup,
    /** The server's part of the nonce; fixed only by tests replaying RFC 7677's example. */
    private readonly serverNonce: () => string = () => randomBytes(24).toString('base64'),
  ) {}

  start(): SaslExchange {
    return new ScramExchange(this.name, this.lookup, this.serverNonce);
  }
}

/** One exchange: client-first, then client-final, nothing after. */
class ScramExchange implements SaslExchange {
  private state:
    | { step: 'first' }
    | { step: 'final'; user: string; credential: ScramCredential | undefined; nonce: string; clientFirstBare: string; serverFirst: string; gs2Header: string }
    | { step: 'done' } = { step: 'first' };

  constructor(
    private readonly mechanism: ScramMechanismName,
    private readonly lookup: CredentialLookup,
    private readonly serverNonce: () => string,
  ) {}

  private refuse(): never {
    this.state = { step: 'done' };
    throw new SaslAuthenticationError(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`);
  }

  async respond(token: Buffer): Promise<SaslStep> {
    const state = this.state;
    const text = token.toString('utf8');
    if (state.step === 'first') {
      const m = CLIENT_FIRST.exec(text);
      const user = m && decodeSaslName(m[4]!);
      const authorizationId = m?.[2] === undefined ? undefined : decodeSaslName(m[2]);
      if (!m || user === undefined || user === null || user === '' || authorizationId === null) return this.refuse();
      // Kafka: an authorization id other than the user is refused.
      if (authorizationId !== undefined && authorizationId !== '' && authorizationId !== user) return this.refuse();
      const credential = await this.lookup(user, this.mechanism);
      // An unknown user still gets a server-first (with a made-up salt), so the answer does not tell users apart.
      const salt = credential?.salt ?? randomBytes(16);
      const nonce = m[5]! + this.serverNonce();
      const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${credential?.iterations ?? MIN_ITERATIONS}`;
      const gs2Header = text.slice(0, text.length - m[3]!.length);
      this.state = { step: 'final', user, credential, nonce, clientFirstBare: m[3]!, serverFirst, gs2Header };
      return { done: false, challenge: Buffer.from(serverFirst, 'utf8') };
    }
    if (state.step !== 'final') return this.refuse();
    const m = CLIENT_FINAL.exec(text);
    if (!m || !state.credential) return this.refuse();
    // Kafka accepts any r ending with the server-first nonce (ScramSaslServer: endsWith), and librdkafka
    // relies on it: it sends its own nonce again in front. The server's fresh part still defeats replays.
    if (!m[3]!.endsWith(state.nonce) || Buffer.from(m[2]!, 'base64').toString('utf8') !== state.gs2Header) return this.refuse();
    const hash = SCRAM_HASH[this.mechanism];
    const authMessage = `${state.clientFirstBare},${state.serverFirst},${m[1]!}`;
    const proof = Buffer.from(m[4]!, 'base64');
    const signature = hmac(hash, state.credential.storedKey, authMessage);
    if (proof.length !== signature.length) return this.refuse();
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    const computed = createHash(hash).update(clientKey).digest();
    if (computed.length !== state.credential.storedKey.length || !timingSafeEqual(computed, state.credential.storedKey)) return this.refuse();
    this.state = { step: 'done' };
    const serverSignature = hmac(hash, state.credential.serverKey, authMessage);
    return { done: true, challenge: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), user: state.user };
  }
}
