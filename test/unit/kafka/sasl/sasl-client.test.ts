// The client side of SASL (src/kafka/client/sasl.ts) against the broker's own mechanisms, and against a
// server that does not follow SCRAM: a nonce that does not extend the client's, too few iterations, a
// wrong server signature, an error in server-final. Each is refused with a message that holds no secret.
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { saslLogin, type ClientSasl, type SaslAnswer } from '../../../../src/kafka/client/sasl.js';
import type { SaslMechanism } from '../../../../src/kafka/sasl/mechanism.js';
import { PlainMechanism } from '../../../../src/kafka/sasl/plain.js';
import { credentialFromSalted, saltedPassword, ScramMechanism, type ScramMechanismName } from '../../../../src/kafka/sasl/scram.js';

const PASSWORD = 'carol-secret';

function scramServer(mechanism: ScramMechanismName): ScramMechanism {
  const salt = randomBytes(16);
  const credential = credentialFromSalted(mechanism, saltedPassword(mechanism, PASSWORD, salt, 4096), salt, 4096);
  return new ScramMechanism(mechanism, async (user) => (user === 'carol' ? credential : undefined));
}

/** Sends each token to a fresh exchange of `server`, `tamper` rewriting the server's answers. */
function over(server: SaslMechanism, tamper: (challenge: string, step: number) => string = (c) => c): (token: Buffer) => Promise<SaslAnswer> {
  const exchange = server.start();
  let step = 0;
  return async (token) => {
    const answer = await exchange.respond(token);
    return { authBytes: Buffer.from(tamper((answer.challenge ?? Buffer.alloc(0)).toString('utf8'), step++), 'utf8'), sessionLifetimeMs: answer.done ? 5000 : 0 };
  };
}

describe('against the broker\'s mechanisms', () => {
  test.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s logs in and gets the session lifetime', async (mechanism) => {
    expect(await saslLogin({ mechanism, username: 'carol', password: PASSWORD }, over(scramServer(mechanism)))).toBe(5000);
  });

  test('PLAIN logs in', async () => {
    const plain = new PlainMechanism(new Map([['alice', 'alice-pw']]));
    expect(await saslLogin({ mechanism: 'PLAIN', username: 'alice', password: 'alice-pw' }, over(plain))).toBe(5000);
  });

  test('a user name with "," and "=" is escaped as RFC 5802 asks, and the server reads it back', async () => {
    const salt = randomBytes(16);
    const credential = credentialFromSalted('SCRAM-SHA-256', saltedPassword('SCRAM-SHA-256', PASSWORD, salt, 4096), salt, 4096);
    const server = new ScramMechanism('SCRAM-SHA-256', async (user) => (user === 'o=u,x' ? credential : undefined));
    expect(await saslLogin({ mechanism: 'SCRAM-SHA-256', username: 'o=u,x', password: PASSWORD }, over(server))).toBe(5000);
  });

  test('a wrong password is the server\'s refusal', async () => {
    await expect(saslLogin({ mechanism: 'SCRAM-SHA-256', username: 'carol', password: 'wrong' }, over(scramServer('SCRAM-SHA-256')))).rejects.toThrow(/invalid credentials/);
  });
});

describe('a server that does not follow SCRAM is refused', () => {
  const carol: ClientSasl = { mechanism: 'SCRAM-SHA-256', username: 'carol', password: PASSWORD };
  test.each<[string, (challenge: string, step: number) => string, RegExp]>([
    ['a nonce that does not extend the client\'s', (c, step) => (step === 0 ? c.replace(/^r=/, 'r=x') : c), /nonce does not extend/],
    ['a nonce with nothing of the server\'s', (c, step) => (step === 0 ? c.replace(/^r=([^,]{32})[^,]*/, 'r=$1') : c), /nonce does not extend/],
    ['too few iterations', (c, step) => (step === 0 ? c.replace(/i=\d+/, 'i=1') : c), /asks for 1 iterations, fewer than 4096/],
    ['a malformed server-first', (c, step) => (step === 0 ? 'garbage' : c), /malformed server-first/],
    ['a wrong server signature', (c, step) => (step === 1 ? `v=${Buffer.alloc(32).toString('base64')}` : c), /server's signature is wrong/],
    ['an error in server-final', (c, step) => (step === 1 ? 'e=other-error' : c), /the server refused: other-error/],
  ])('%s', async (_what, tamper, message) => {
    const err = await saslLogin(carol, over(scramServer('SCRAM-SHA-256'), tamper)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain(PASSWORD);
  });
});
