// The client's side of SASL as Kafka's SaslClientAuthenticator speaks it after SaslHandshake v1: each
// token goes in a SaslAuthenticate request, each challenge comes back in its answer. PLAIN (RFC 4616) is
// one token; SCRAM-SHA-256/512 (RFC 5802, RFC 7677) is client-first, client-final, and the server's
// signature checked, so a server that does not hold the credential cannot pretend it does. Errors name
// the mechanism and what went wrong, never the password or a proof.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { credentialFromSalted, hmac, MIN_ITERATIONS, saltedPassword, SCRAM_HASH, SCRAM_MECHANISMS, scramAttributes, type ScramMechanismName } from '../sasl/scram.js';

/** The mechanisms Skein's client speaks. */
export const CLIENT_SASL_MECHANISMS = ['PLAIN', ...SCRAM_MECHANISMS] as const;
export type ClientSaslMechanism = (typeof CLIENT_SASL_MECHANISMS)[number];

/** Who the client logs in as, and how. */
export interface ClientSasl {
  mechanism: ClientSaslMechanism;
  username: string;
  password: string;
}

/** The broker's answer to one token: its challenge, and (last answer, SaslAuthenticate v1+) the session lifetime. */
export interface SaslAnswer {
  authBytes: Buffer;
  sessionLifetimeMs: number;
}

/** The server's answers did not follow the mechanism (a wrong nonce, a bad signature, ...). */
export class SaslClientError extends Error {
  override readonly name = 'SaslClientError';
}

/**
 * Runs the mechanism's exchange over `send` (one SaslAuthenticate round trip per token, throwing on a
 * refusal) and resolves with the session lifetime the server gave (0: none).
 */
export async function saslLogin(sasl: ClientSasl, send: (token: Buffer) => Promise<SaslAnswer>): Promise<number> {
  if (sasl.mechanism === 'PLAIN') {
    // Empty authorization id: the connection speaks for the user it authenticates as.
    return (await send(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8'))).sessionLifetimeMs;
  }
  return scramLogin(sasl.mechanism, sasl.username, sasl.password, send);
}

/** No channel binding, no authorization id: "n,," (base64 "biws" in client-final). */
const GS2_HEADER = 'n,,';

/** RFC 5802's saslname: "=" and "," escaped. */
const saslName = (name: string) => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

async function scramLogin(mechanism: ScramMechanismName, username: string, password: string, send: (token: Buffer) => Promise<SaslAnswer>): Promise<number> {
  const hash = SCRAM_HASH[mechanism];
  const clientNonce = randomBytes(24).toString('base64');
  const clientFirstBare = `n=${saslName(username)},r=${clientNonce}`;
  const serverFirst = (await send(Buffer.from(GS2_HEADER + clientFirstBare, 'utf8'))).authBytes.toString('utf8');
  const fields = scramAttributes(serverFirst);
  const nonce = fields.get('r');
  const salt = fields.get('s');
  const iterations = Number(fields.get('i'));
  if (fields.has('m') || nonce === undefined || salt === undefined || !Number.isInteger(iterations)) throw new SaslClientError(`${mechanism}: malformed server-first message`);
  // The server's nonce extends ours; anything else is not an answer to this exchange.
  if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) throw new SaslClientError(`${mechanism}: the server's nonce does not extend the client's`);
  if (iterations < MIN_ITERATIONS) throw new SaslClientError(`${mechanism}: the server asks for ${iterations} iterations, fewer than ${MIN_ITERATIONS}`);
  const salted = saltedPassword(mechanism, password, Buffer.from(salt, 'base64'), iterations);
  const clientKey = hmac(hash, salted, 'Client Key');
  const { storedKey, serverKey } = credentialFromSalted(mechanism, salted, Buffer.alloc(0), iterations);
  const finalWithoutProof = `c=${Buffer.from(GS2_HEADER, 'utf8').toString('base64')},r=${nonce}`;
  const authMessage = `${clientFirstBare},${serverFirst},${finalWithoutProof}`;
  const signature = hmac(hash, storedKey, authMessage);
  const proof = Buffer.alloc(clientKey.length);
  for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
  const answer = await send(Buffer.from(`${finalWithoutProof},p=${proof.toString('base64')}`, 'utf8'));
  const serverFinal = scramAttributes(answer.authBytes.toString('utf8'));
  const error = serverFinal.get('e');
  if (error !== undefined) throw new SaslClientError(`${mechanism}: the server refused: ${error.slice(0, 100)}`);
  const expected = hmac(hash, serverKey, authMessage);
  const given = Buffer.from(serverFinal.get('v') ?? '', 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SaslClientError(`${mechanism}: the server's signature is wrong (it does not hold this user's credential)`);
  return answer.sessionLifetimeMs;
}
