// OAUTHBEARER with signed tokens (Kafka's OAuthBearerValidatorCallbackHandler, KIP-768) and real clients.
// The test plays the identity provider: an RSA and an EC key made now, their JWKS served over https (the
// broker trusts the test CA through its JAAS entry's ssl.truststore.*) and written to a file, and a
// client_credentials token endpoint over http. One broker, two OAUTHBEARER listeners: OIDC (SASL_SSL, keys
// from the https endpoint, audience and issuer checked) and JWKSFILE (SASL_PLAINTEXT, keys from a file:
// URL). confluent-kafka-python hands over tokens the test signs (oauth_cb); kafkajs's token provider gets
// its own from the token endpoint. Expired, wrong-audience, wrong-key and
// unsigned tokens are refused with Kafka's invalid_token, the broker logs why, and never a token.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { makeTestPki, STORE_PASSWORD, type TestPki } from '../helpers/certificates.js';
import { PYTHON, run } from '../helpers/commands.js';
import { roundTrip } from '../helpers/secured-roundtrip.js';
import { SkeinKafka } from '../helpers/skein-process.js';

const ISSUER = 'https://idp.skein.test';
const AUDIENCE = 'skein-cluster';
const VALIDATOR = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler';
const CLIENT_SECRET = 'app-client-secret-value';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const impostor = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig', alg: 'RS256' }, { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig' }] };

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function token(claims: Record<string, unknown>, { alg = 'RS256', kid = 'rsa-1', key = rsa.privateKey }: { alg?: string; kid?: string; key?: KeyObject } = {}): string {
  const input = `${b64({ alg, kid, typ: 'JWT' })}.${b64(claims)}`;
  const signature = alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const claimsFor = (sub: string, extra: Record<string, unknown> = {}) => ({ sub, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600, scope: 'kafka', ...extra });

let pki: TestPki;
let kafka: SkeinKafka;
let idpHttps: Server;
let idpHttp: Server;
let oidc: string;
let jwksFileListener: string;
let tokenEndpoint: string;
let jwksFile: string;
const tokenRequests: string[] = [];

/** The identity provider: JWKS, and client_credentials tokens for the one registered client. */
function idp(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET' && req.url === '/jwks') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    return;
  }
  if (req.method === 'POST' && req.url === '/token') {
    const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
    req.resume();
    tokenRequests.push(id ?? '');
    if (id !== 'app-client' || secret !== CLIENT_SECRET) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
      return;
    }
    const body = { access_token: token(claimsFor(id)), token_type: 'Bearer', expires_in: 600 };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return;
  }
  res.writeHead(404).end();
}

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

beforeAll(async () => {
  pki = makeTestPki();
  idpHttps = createHttpsServer({ cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key) }, idp);
  idpHttp = createHttpServer(idp);
  const [httpsPort, httpPort] = [await listen(idpHttps), await listen(idpHttp)];
  tokenEndpoint = `http://127.0.0.1:${httpPort}/token`;
  jwksFile = join(pki.dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwks.keys[1]] }));
  const [plainPort, oidcPort, filePort] = [await freePort(), await freePort(), await freePort()];
  oidc = `127.0.0.1:${oidcPort}`;
  jwksFileListener = `127.0.0.1:${filePort}`;
  const module = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required';
  kafka = await SkeinKafka.start({
    listeners: `PLAINTEXT://127.0.0.1:${plainPort},OIDC://${oidc},JWKSFILE://${jwksFileListener}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OIDC:SASL_SSL,JWKSFILE:SASL_PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': pki.server.p12,
    'ssl.keystore.password': STORE_PASSWORD,
    'sasl.enabled.mechanisms': 'OAUTHBEARER',
    'sasl.oauthbearer.jwks.endpoint.url': `https://127.0.0.1:${httpsPort}/jwks`,
    'sasl.oauthbearer.expected.audience': AUDIENCE,
    'sasl.oauthbearer.expected.issuer': ISSUER,
    'listener.name.oidc.oauthbearer.sasl.jaas.config': `${module} ssl.truststore.type="PEM" ssl.truststore.location="${pki.caPem}";`,
    'listener.name.oidc.oauthbearer.sasl.server.callback.handler.class': VALIDATOR,
    'listener.name.jwksfile.oauthbearer.sasl.jaas.config': `${module} ;`,
    'listener.name.jwksfile.oauthbearer.sasl.server.callback.handler.class': VALIDATOR,
    'listener.name.jwksfile.oauthbearer.sasl.oauthbearer.jwks.endpoint.url': pathToFileURL(jwksFile).href,
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '1',
  });
});

afterAll(async () => {
  await kafka?.destroy();
  await Promise.all([idpHttps, idpHttp].map((s) => s && new Promise((resolve) => s.close(resolve))));
  pki?.remove();
});

const refused = (input: unknown) => run(PYTHON, [new URL('./oauth_refused.py', import.meta.url).pathname, JSON.stringify(input)], '', 60_000);

test('confluent-kafka-python: a signed token (keys from https) produces and consumes over SASL_SSL; one signed with an EC key from a file: JWKS over SASL_PLAINTEXT', async () => {
  const ssl = { 'bootstrap.servers': oidc, 'security.protocol': 'SASL_SSL', 'ssl.ca.location': pki.caPem, 'sasl.mechanisms': 'OAUTHBEARER' };
  const r1 = await roundTrip('confluent', ssl, 'oidc-confluent', 'o', token(claimsFor('alice')));
  expect(r1.code, r1.stderr).toBe(0);
  expect(JSON.parse(r1.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `o${i}`));
  const plain = { 'bootstrap.servers': jwksFileListener, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'OAUTHBEARER' };
  const r2 = await roundTrip('confluent', plain, 'oidc-file', 'f', token(claimsFor('bob'), { alg: 'ES256', kid: 'ec-1', key: ec.privateKey }));
  expect(r2.code, r2.stderr).toBe(0);
  expect(JSON.parse(r2.stdout)).toHaveLength(20);
});

test('kafkajs: its oauthBearerProvider gets a token from the token endpoint (client_credentials) and produces and reads back', async () => {
  // librdkafka's own OIDC client (sasl.oauthbearer.method=oidc) needs libcurl, which neither Debian's
  // librdkafka 2.0 nor the compat clients' build has; kafkajs leaves the token fetch to the application.
  const oauthBearerProvider = async () => {
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`app-client:${CLIENT_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=kafka',
    });
    return { value: ((await res.json()) as { access_token: string }).access_token };
  };
  const client = new Kafka({ brokers: [oidc], logLevel: logLevel.NOTHING, ssl: { ca: [readFileSync(pki.caPem, 'utf8')] }, sasl: { mechanism: 'oauthbearer', oauthBearerProvider } });
  const producer = client.producer();
  await producer.connect();
  const [sent] = await producer.send({ topic: 'oidc-kafkajs', acks: -1, messages: [{ value: 'j0' }, { value: 'j1' }] });
  await producer.disconnect();
  const admin = client.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets('oidc-kafkajs');
  await admin.disconnect();
  expect(offsets[0]!.high).toBe(String(Number(sent!.baseOffset) + 2));
  expect(tokenRequests).toContain('app-client');
});

test('expired, wrong-audience, wrong-key and unsigned tokens are refused with invalid_token; the log says why and holds no token', async () => {
  const bad = [
    token(claimsFor('eve', { exp: now() - 120, iat: now() - 720 })),
    token(claimsFor('eve', { aud: 'another-cluster' })),
    token(claimsFor('eve'), { key: impostor.privateKey }),
    `${b64({ alg: 'none' })}.${b64(claimsFor('eve'))}.`,
  ];
  const ssl = { 'bootstrap.servers': oidc, 'security.protocol': 'SASL_SSL', 'ssl.ca.location': pki.caPem, 'sasl.mechanisms': 'OAUTHBEARER' };
  const r = await refused({ conf: ssl, tokens: bad });
  expect(r.code, r.stderr).toBe(0);
  const errors = JSON.parse(r.stdout) as string[][];
  expect(errors).toHaveLength(4);
  for (const e of errors) expect(e[0]).toMatch(/invalid_token/);
  const refusals = kafka.log.split('\n').filter((l) => l.includes('SASL authentication failed') && l.includes('OAUTHBEARER'));
  for (const why of [/no longer valid/, /acceptable identifier/, /signature is invalid/, /unsigned/]) expect(refusals.some((l) => why.test(l))).toBe(true);
  for (const t of bad) expect(kafka.log).not.toContain(t.split('.')[1]!);
  expect(kafka.log).not.toContain(CLIENT_SECRET);
});
