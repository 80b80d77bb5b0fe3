// SCRAM against RFC 7677's worked example (SCRAM-SHA-256, user "user", password "pencil") and the
// refusals a server owes: out-of-order messages, a wrong nonce, a replayed client-final, a bad proof.
import { describe, expect, test } from 'vitest';
import { SaslAuthenticationError } from '../../../../src/kafka/sasl/mechanism.js';
import { credentialFromSalted, formatCredential, parseCredential, saltedPassword, ScramMechanism, type ScramCredential } from '../../../../src/kafka/sasl/scram.js';

const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const SERVER_FIRST = `r=rOprNGfwEbeRWgbNEkqO${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;
const CLIENT_FINAL = `c=biws,r=rOprNGfwEbeRWgbNEkqO${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`;
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

const credential: ScramCredential = credentialFromSalted('SCRAM-SHA-256', saltedPassword('SCRAM-SHA-256', 'pencil', SALT, 4096), SALT, 4096);
const mechanism = new ScramMechanism('SCRAM-SHA-256', async (user) => (user === 'user' ? credential : undefined), () => SERVER_NONCE);
const token = (s: string) => Buffer.from(s, 'utf8');

describe('SCRAM-SHA-256 (RFC 7677 example)', () => {
  test('server-first and server-final are the RFC\'s, the user is authenticated', async () => {
    const exchange = mechanism.start();
    const first = await exchange.respond(token(CLIENT_FIRST));
    expect(first).toEqual({ done: false, challenge: token(SERVER_FIRST) });
    const final = await exchange.respond(token(CLIENT_FINAL));
    expect(final).toEqual({ done: true, challenge: token(SERVER_FINAL), user: 'user' });
  });

  test('a client-final nonce with more in front of the server-first one is accepted, as Kafka does (librdkafka sends that)', async () => {
    const exchange = mechanism.start();
    await exchange.respond(token(CLIENT_FIRST));
    // The proof covers the client-final as sent, so it is recomputed here for the longer nonce.
    const { createHmac, createHash } = await import('node:crypto');
    const salted = saltedPassword('SCRAM-SHA-256', 'pencil', SALT, 4096);
    const withoutProof = `c=biws,r=rOprNGfwEbeRWgbNEkqOrOprNGfwEbeRWgbNEkqO${SERVER_NONCE}`;
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,${SERVER_FIRST},${withoutProof}`;
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const signature = createHmac('sha256', createHash('sha256').update(clientKey).digest()).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    expect(await exchange.respond(token(`${withoutProof},p=${proof.toString('base64')}`))).toMatchObject({ done: true, user: 'user' });
  });

  test('the credential survives Kafka\'s text form', () => {
    const text = formatCredential(credential);
    expect(text).toMatch(/^salt=W22ZaJ0SNY7soEsUEjb6gQ==,stored_key=[^,]+,server_key=[^,]+,iterations=4096$/);
    expect(parseCredential(text)).toEqual(credential);
  });

  const refusals: Array<[string, string[]]> = [
    ['client-final first', [CLIENT_FINAL]],
    ['client-first twice', [CLIENT_FIRST, CLIENT_FIRST]],
    ['a wrong nonce', [CLIENT_FIRST, CLIENT_FINAL.replace('rOprNGfwEbeRWgbNEkqO%', 'rOprNGfwEbeRWgbNEkqX%')]],
    ['a wrong proof', [CLIENT_FIRST, CLIENT_FINAL.replace('p=dHzb', 'p=dHzc')]],
    ['a wrong channel binding', [CLIENT_FIRST, CLIENT_FINAL.replace('c=biws', 'c=eSws')]],
    ['an unknown user', ['n,,n=nobody,r=rOprNGfwEbeRWgbNEkqO', CLIENT_FINAL]],
    ['an authorization id of someone else', ['n,a=admin,n=user,r=rOprNGfwEbeRWgbNEkqO', CLIENT_FINAL]],
    ['channel binding asked for', ['p=tls-unique,,n=user,r=rOprNGfwEbeRWgbNEkqO']],
    ['garbage', ['\u0000\u0001not scram']],
  ];
  test.each(refusals)('refused: %s, with one message that says nothing more', async (_name, tokens) => {
    const exchange = mechanism.start();
    const run = async () => {
      for (const t of tokens) await exchange.respond(token(t));
    };
    await expect(run()).rejects.toThrow(SaslAuthenticationError);
    await expect(run()).rejects.toThrow('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256');
  });

  test('a replayed client-final fails: every exchange has its own server nonce', async () => {
    const fresh = new ScramMechanism('SCRAM-SHA-256', async () => credential);
    const exchange = fresh.start();
    await exchange.respond(token(CLIENT_FIRST));
    await expect(exchange.respond(token(CLIENT_FINAL))).rejects.toThrow(SaslAuthenticationError);
    // Nor after a success: an exchange takes nothing after its end.
    const done = mechanism.start();
    await done.respond(token(CLIENT_FIRST));
    await done.respond(token(CLIENT_FINAL));
    await expect(done.respond(token(CLIENT_FINAL))).rejects.toThrow(SaslAuthenticationError);
  });
});
