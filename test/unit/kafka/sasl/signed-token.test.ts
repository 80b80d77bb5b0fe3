// OAUTHBEARER with signed tokens (Kafka's OIDC validator): signatures under each served algorithm, the
// claim checks jose4j and Kafka make, and the key set read from a file and from an http endpoint that
// rotates its keys (an unknown key id refreshes it, at most once a minute per id).
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { brokerConfigFromText } from '../../../../src/kafka/broker-config.js';
import { createLogger } from '../../../../src/logger.js';
import { JwksKeys } from '../../../../src/kafka/sasl/jwks-keys.js';
import { verificationKeysOf } from '../../../../src/kafka/sasl/jws.js';
import { SaslAuthenticationError } from '../../../../src/kafka/sasl/mechanism.js';
import { OAUTH_TOKEN_CHARS_MAX, OAuthBearerMechanism } from '../../../../src/kafka/sasl/oauthbearer.js';
import { SignedTokenValidator, type SignedTokenOptions } from '../../../../src/kafka/sasl/signed-token-validator.js';

const NOW = 1_800_000_000_000;
const NOW_S = NOW / 1000;
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed = generateKeyPairSync('ed25519');

const jwk = (publicKey: KeyObject, kid: string, extra: Record<string, unknown> = {}) => ({ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', ...extra });

/** A compact JWS signed as an identity provider would. */
function signed(alg: string, privateKey: KeyObject, kid: string | undefined, claims: Record<string, unknown>): string {
  const input = `${b64({ alg, typ: 'JWT', ...(kid !== undefined && { kid }) })}.${b64(claims)}`;
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  const key = alg.startsWith('PS')
    ? { key: privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: -1 /* digest length */ }
    : alg.startsWith('ES')
      ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
      : privateKey;
  return `${input}.${sign(hash, Buffer.from(input), key).toString('base64url')}`;
}

const good = { sub: 'alice', iat: NOW_S - 10, exp: NOW_S + 300, iss: 'https://idp.test', aud: 'kafka', scope: 'produce consume' };
const options: SignedTokenOptions = { expectedAudience: ['kafka'], expectedIssuer: 'https://idp.test', clockSkewSeconds: 30, scopeClaim: 'scope', subClaim: 'sub' };
const keySet = { keys: [jwk(rsa.publicKey, 'rsa-1'), jwk(ec256.publicKey, 'ec-1'), jwk(ec384.publicKey, 'ec-2'), jwk(ed.publicKey, 'ed-1'), { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }] };
const staticKeys = (set: unknown) => {
  const keys = verificationKeysOf(JSON.stringify(set));
  return { keyFor: async (kid: string | undefined, alg: string) => keys.find((k) => (kid === undefined || k.kid === kid) && (k.alg === undefined || k.alg === alg) && (alg.startsWith('ES') || alg === 'EdDSA' ? k.kty !== 'RSA' : k.kty === 'RSA')) };
};

describe('signed token validation', () => {
  const validator = new SignedTokenValidator(options, staticKeys(keySet), () => NOW);

  test.each([
    ['RS256', rsa.privateKey, 'rsa-1'],
    ['RS512', rsa.privateKey, 'rsa-1'],
    ['PS256', rsa.privateKey, 'rsa-1'],
    ['PS384', rsa.privateKey, 'rsa-1'],
    ['ES256', ec256.privateKey, 'ec-1'],
    ['ES384', ec384.privateKey, 'ec-2'],
    ['EdDSA', ed.privateKey, 'ed-1'],
  ])('%s: a valid token names its subject', async (alg, key, kid) => {
    expect(await validator.validate(signed(alg, key as KeyObject, kid, good))).toEqual({ user: 'alice' });
  });

  test.each([
    ['expired beyond the skew', signed('RS256', rsa.privateKey, 'rsa-1', { ...good, exp: NOW_S - 30 }), /no longer valid/],
    ['not yet valid', signed('RS256', rsa.privateKey, 'rsa-1', { ...good, nbf: NOW_S + 31 }), /not yet valid/],
    ['wrong audience', signed('RS256', rsa.privateKey, 'rsa-1', { ...good, aud: ['billing'] }), /acceptable identifier/],
    ['no audience', signed('RS256', rsa.privateKey, 'rsa-1', { ...good, aud: undefined }), /no Audience/],
    ['wrong issuer', signed('RS256', rsa.privateKey, 'rsa-1', { ...good, iss: 'https://evil.test' }), /Issuer/],
    ['no iat', signed('RS256', rsa.privateKey, 'rsa-1', { ...good, iat: undefined }), /Issued At/],
    ['no exp', signed('RS256', rsa.privateKey, 'rsa-1', { ...good, exp: undefined }), /Expiration/],
    ['blank sub', signed('RS256', rsa.privateKey, 'rsa-1', { ...good, sub: '  ' }), /sub claim/],
    ['duplicate scopes', signed('RS256', rsa.privateKey, 'rsa-1', { ...good, scope: ['a', 'a'] }), /duplicates/],
    ['signed by another key under a known kid', signed('RS256', rsaOther.privateKey, 'rsa-1', good), /signature is invalid/],
    ['signature of another token', signed('RS256', rsa.privateKey, 'rsa-1', good).replace(/\.[^.]+\./, `.${b64({ ...good, sub: 'admin' })}.`), /signature is invalid/],
    ['an EC key for an RSA algorithm', signed('RS256', rsa.privateKey, 'ec-1', good), /no verification key/],
    ['an unknown kid', signed('RS256', rsa.privateKey, 'nope', good), /no verification key/],
    ['alg none', `${b64({ alg: 'none' })}.${b64(good)}.`, /unsigned/],
    ['HS256 with a symmetric key', `${b64({ alg: 'HS256', kid: 'hmac' })}.${b64(good)}.c2ln`, /unsupported JWS algorithm/],
    ['critical headers', `${b64({ alg: 'RS256', kid: 'rsa-1', crit: ['x'] })}.${b64(good)}.c2ln`, /crit/],
    ['not a JWS', 'abc', /not a compact JWS/],
  ])('%s: refused', async (_name, token, reason) => {
    const verdict = await validator.validate(token);
    expect(verdict).toMatchObject({ status: 'invalid_token', reason: expect.stringMatching(reason) });
  });

  test('within the clock skew, and aud refused when no audience is expected (as jose4j)', async () => {
    expect(await validator.validate(signed('RS256', rsa.privateKey, 'rsa-1', { ...good, exp: NOW_S - 29 }))).toEqual({ user: 'alice' });
    const noAudience = new SignedTokenValidator({ ...options, expectedAudience: [] }, staticKeys(keySet), () => NOW);
    expect(await noAudience.validate(signed('RS256', rsa.privateKey, 'rsa-1', { ...good, aud: undefined }))).toEqual({ user: 'alice' });
    expect(await noAudience.validate(signed('RS256', rsa.privateKey, 'rsa-1', good))).toMatchObject({ reason: expect.stringMatching(/no expected audience/) });
  });

  test('RSA keys under 2048 bits and encryption keys are not used', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(verificationKeysOf(JSON.stringify({ keys: [jwk(small.publicKey, 'small'), jwk(rsa.publicKey, 'enc', { use: 'enc' })] }))).toEqual([]);
    expect(() => verificationKeysOf('{"nokeys":1}')).toThrow(/not a JSON Web Key Set/);
  });

  test('the SASL exchange: invalid_token challenge, then a failure whose log detail holds the reason and never the token', async () => {
    const mechanism = new OAuthBearerMechanism(validator);
    const token = signed('RS256', rsa.privateKey, 'rsa-1', { ...good, aud: 'billing' });
    const exchange = mechanism.start();
    const step = await exchange.respond(Buffer.from(`n,,\x01auth=Bearer ${token}\x01\x01`));
    expect(step).toEqual({ done: false, challenge: Buffer.from('{"status":"invalid_token"}') });
    const failure = await Promise.resolve(exchange.respond(Buffer.from([1]))).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SaslAuthenticationError);
    expect((failure as SaslAuthenticationError).message).toBe('{"status":"invalid_token"}');
    expect((failure as SaslAuthenticationError).detail).toMatch(/Audience/);
    expect((failure as SaslAuthenticationError).detail).not.toContain(token.split('.')[2]);
    const ok = await mechanism.start().respond(Buffer.from(`n,a=alice,\x01auth=Bearer ${signed('ES256', ec256.privateKey, 'ec-1', good)}\x01\x01`));
    expect(ok).toMatchObject({ done: true, user: 'alice' });
    const huge = `${b64({ alg: 'RS256' })}.${'A'.repeat(OAUTH_TOKEN_CHARS_MAX)}.sig`;
    await expect(Promise.resolve(mechanism.start().respond(Buffer.from(`n,,\x01auth=Bearer ${huge}\x01\x01`)))).rejects.toThrow(/longer than/);
  });
});

describe('the key set', () => {
  const log = createLogger('silent');
  let dir: string;
  let server: Server;
  let served: unknown = { keys: [jwk(rsa.publicKey, 'rsa-1')] };
  let fetches = 0;
  let endpoint: URL;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skein-jwks-'));
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    endpoint = new URL(`http://127.0.0.1:${address.port}/jwks.json`);
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  });

  const settings = (url: URL) => ({ url, refreshMs: 3_600_000, retryBackoffMs: 1, retryBackoffMaxMs: 50, trust: undefined });

  test('from a file: URL', async () => {
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify(keySet));
    const keys = new JwksKeys(settings(pathToFileURL(file)));
    await keys.open(log);
    const validator = new SignedTokenValidator(options, keys, () => NOW);
    expect(await validator.validate(signed('ES384', ec384.privateKey, 'ec-2', good))).toEqual({ user: 'alice' });
    keys.close();
    await expect(new JwksKeys(settings(pathToFileURL(join(dir, 'missing.json')))).open(log)).rejects.toThrow(/could not read the verification keys/);
  });

  test('over http: a rotated key is fetched when a token names it, an unknown kid refetches at most once a minute', async () => {
    let now = NOW;
    const keys = new JwksKeys(settings(endpoint), () => now);
    await keys.open(log);
    const validator = new SignedTokenValidator(options, keys, () => NOW);
    expect(await validator.validate(signed('RS256', rsa.privateKey, 'rsa-1', good))).toEqual({ user: 'alice' });
    expect(fetches).toBe(1);
    // The provider rotates to a new key: the first token naming it triggers a refresh and gets in.
    served = { keys: [jwk(rsa.publicKey, 'rsa-1'), jwk(rsaOther.publicKey, 'rsa-2')] };
    expect(await validator.validate(signed('RS256', rsaOther.privateKey, 'rsa-2', good))).toEqual({ user: 'alice' });
    expect(fetches).toBe(2);
    // Made-up key ids: one refresh each per minute, whatever the number of tokens.
    for (let i = 0; i < 5; i++) expect(await validator.validate(signed('RS256', rsa.privateKey, 'bogus', good))).toMatchObject({ status: 'invalid_token' });
    expect(fetches).toBe(3);
    now += 60_000;
    await validator.validate(signed('RS256', rsa.privateKey, 'bogus', good));
    expect(fetches).toBe(4);
    keys.close();
  });

  test('a failing refresh keeps the previous keys', async () => {
    const keys = new JwksKeys(settings(endpoint));
    await keys.open(log);
    served = 'not a key set';
    const validator = new SignedTokenValidator(options, keys, () => NOW);
    expect(await validator.validate(signed('RS256', rsa.privateKey, 'rotated-away', good))).toMatchObject({ status: 'invalid_token' });
    expect(await validator.validate(signed('RS256', rsaOther.privateKey, 'rsa-2', good))).toEqual({ user: 'alice' });
    keys.close();
  });
});

describe('server.properties', () => {
  const base =
    'inter.broker.listener.name=PLAINTEXT\nlisteners=SASL_PLAINTEXT://127.0.0.1:9093,PLAINTEXT://127.0.0.1:9092\nsasl.enabled.mechanisms=OAUTHBEARER\n' +
    'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required ;\n';
  const handler = (className: string) => `listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class=${className}\n`;

  test.each(['org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler', 'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler'])(
    '%s selects the OIDC validator with its sasl.oauthbearer.* settings',
    (className) => {
      const config = brokerConfigFromText(`${base}${handler(className)}sasl.oauthbearer.jwks.endpoint.url=https://idp.test/jwks\nsasl.oauthbearer.expected.audience=kafka,other\n`);
      const listener = config.listeners.find((l) => l.bind.name === 'SASL_PLAINTEXT')!;
      expect(listener.sasl?.jwks?.location).toBe('https://idp.test/jwks');
      expect(config.values['sasl.oauthbearer.expected.audience']).toEqual(['kafka', 'other']);
      expect(config.unknownKeys).toEqual([]);
    },
  );

  test('listener.name.<l>.[oauthbearer.]sasl.oauthbearer.* override the broker\'s, the mechanism-prefixed one last', () => {
    const config = brokerConfigFromText(
      `${base}${handler('org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler')}sasl.oauthbearer.jwks.endpoint.url=https://idp.test/jwks\n` +
        'listener.name.sasl_plaintext.oauthbearer.sasl.oauthbearer.jwks.endpoint.url=file:///etc/kafka/jwks.json\n' +
        'listener.name.sasl_plaintext.sasl.oauthbearer.jwks.endpoint.url=https://other.test/jwks\n',
    );
    expect(config.listeners.find((l) => l.bind.name === 'SASL_PLAINTEXT')!.sasl?.jwks?.location).toBe('file:///etc/kafka/jwks.json');
    expect(config.unknownKeys).toEqual([]);
    expect(() => brokerConfigFromText(`${base}listener.name.sasl_plaintext.sasl.oauthbearer.no.such=1\n`)).toThrow(/sasl\.oauthbearer\.no\.such: not a sasl\.oauthbearer/);
  });

  test('without a handler class, the unsecured default', () => {
    expect(brokerConfigFromText(base).listeners.find((l) => l.bind.name === 'SASL_PLAINTEXT')!.sasl?.jwks).toBeUndefined();
  });

  test.each([
    ['the OIDC validator without a JWKS URL', handler('org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler'), /sasl\.oauthbearer\.jwks\.endpoint\.url: .* needs/],
    ['a JWKS URL of another scheme', `${handler('org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler')}sasl.oauthbearer.jwks.endpoint.url=ftp://idp.test/jwks\n`, /ftp: URLs are not read/],
    ['a custom handler class', handler('com.example.MyValidator'), /com\.example\.MyValidator is not served/],
  ])('refused: %s', (_name, extra, message) => {
    expect(() => brokerConfigFromText(base + extra)).toThrow(message);
  });
});
