// OAUTHBEARER with unsecured JWS tokens, as Kafka's default validator: what gets in, and the JSON error
// challenge then failure for a token that does not.
import { describe, expect, test } from 'vitest';
import { parseLoginModuleEntry } from '../../../../src/security/jaas.js';
import { SaslAuthenticationError } from '../../../../src/kafka/sasl/mechanism.js';
import { DEFAULT_UNSECURED_OPTIONS, OAuthBearerMechanism, UnsecuredTokenValidator, unsecuredOptionsOf } from '../../../../src/kafka/sasl/oauthbearer.js';

const NOW = 1_800_000_000_000;
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jws = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'none' }) => `${b64(header)}.${b64(claims)}.`;
const initial = (token: string, authzid = '') => Buffer.from(`n,${authzid ? `a=${authzid}` : ''},\x01auth=Bearer ${token}\x01\x01`);

describe('OAUTHBEARER (unsecured)', () => {
  const mechanism = new OAuthBearerMechanism(new UnsecuredTokenValidator(DEFAULT_UNSECURED_OPTIONS, () => NOW));

  test('a token with sub and a future exp names the user', async () => {
    const step = await mechanism.start().respond(initial(jws({ sub: 'alice', exp: NOW / 1000 + 60, iat: NOW / 1000 })));
    expect(step).toEqual({ done: true, challenge: Buffer.alloc(0), user: 'alice' });
    expect(await mechanism.start().respond(initial(jws({ sub: 'alice', exp: NOW / 1000 + 60 }), 'alice'))).toMatchObject({ user: 'alice' });
  });

  test.each([
    ['expired', jws({ sub: 'alice', exp: NOW / 1000 - 1 })],
    ['no sub', jws({ exp: NOW / 1000 + 60 })],
    ['no exp', jws({ sub: 'alice' })],
    ['signed (alg other than none)', jws({ sub: 'alice', exp: NOW / 1000 + 60 }, { alg: 'HS256' })],
    ['not a JWS', 'not-a-token'],
  ])('%s: an invalid_token challenge, then failure once the client acknowledges', async (_name, token) => {
    const exchange = mechanism.start();
    const step = await exchange.respond(initial(token));
    expect(step).toEqual({ done: false, challenge: Buffer.from('{"status":"invalid_token"}') });
    await expect(async () => exchange.respond(Buffer.from([1]))).rejects.toThrow('{"status":"invalid_token"}');
  });

  test('required scopes and another principal claim, from the login module options', async () => {
    const options = unsecuredOptionsOf(
      parseLoginModuleEntry(
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredValidatorPrincipalClaimName="user" unsecuredValidatorRequiredScope="read,write";',
      ),
    );
    const scoped = new OAuthBearerMechanism(new UnsecuredTokenValidator(options, () => NOW));
    expect(await scoped.start().respond(initial(jws({ user: 'bob', exp: NOW / 1000 + 60, scope: ['read', 'write'] })))).toMatchObject({ user: 'bob' });
    expect(await scoped.start().respond(initial(jws({ user: 'bob', exp: NOW / 1000 + 60, scope: 'read write admin' })))).toMatchObject({ user: 'bob' });
    const short = await scoped.start().respond(initial(jws({ user: 'bob', exp: NOW / 1000 + 60, scope: 'read' })));
    expect(JSON.parse(short.challenge!.toString())).toEqual({ status: 'insufficient_scope', scope: 'read write' });
  });

  test('malformed client responses and another authorization id are refused at once', async () => {
    for (const bad of [Buffer.from('garbage'), Buffer.from('n,,\x01auth=Basic x\x01\x01')]) {
      await expect(async () => mechanism.start().respond(bad)).rejects.toThrow(SaslAuthenticationError);
    }
    await expect(async () => mechanism.start().respond(initial(jws({ sub: 'alice', exp: NOW / 1000 + 60 }), 'admin'))).rejects.toThrow(/different from the token's principal/);
  });
});
