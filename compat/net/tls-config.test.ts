// Kafka's and ZooKeeper's TLS settings read with real key material (openssl-made): per-listener
// overrides, PEM given inline in server.properties, a TLS-only zoo.cfg, and the PKCS#12 truststore reader
// on openssl's and keytool's files, a wrong password and a JKS file refused with what to do.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { brokerConfigFromText } from '../../src/kafka/broker-config.js';
import { pkcs12Certificates } from '../../src/security/pkcs12-certificates.js';
import { parseZooCfg } from '../../src/zookeeper/config.js';
import { makeTestPki, STORE_PASSWORD, type TestPki } from '../helpers/certificates.js';
import { execFileSync } from 'node:child_process';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

test('listener.name.<l>.ssl.* wins over ssl.* for that listener; PEM may be given inline', () => {
  const inline = (path: string) => readFileSync(path, 'utf8').replace(/\n/g, '\\n');
  const cfg = brokerConfigFromText(
    [
      'listeners=PLAINTEXT://127.0.0.1:0,EXTERNAL://127.0.0.1:0,INTERNAL://127.0.0.1:0',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,EXTERNAL:SSL,INTERNAL:SSL',
      'listener.name.external.ssl.keystore.type=PKCS12',
      `listener.name.external.ssl.keystore.location=${pki.server.p12}`,
      `listener.name.external.ssl.keystore.password=${STORE_PASSWORD}`,
      'ssl.client.auth=requested',
      'listener.name.internal.ssl.keystore.type=PEM',
      `listener.name.internal.ssl.keystore.key=${inline(pki.server.key)}`,
      `listener.name.internal.ssl.keystore.certificate.chain=${inline(pki.server.cert)}`,
      'listener.name.internal.ssl.truststore.type=PEM',
      `listener.name.internal.ssl.truststore.certificates=${inline(pki.caPem)}`,
      'listener.name.internal.ssl.client.auth=required',
      'listener.name.internal.ssl.enabled.protocols=TLSv1.3',
      'listener.name.internal.ssl.endpoint.identification.algorithm=',
    ].join('\n'),
  );
  const [plain, external, internal] = cfg.listeners;
  expect(plain!.tls).toBeUndefined();
  expect(external!.tls!.spec).toMatchObject({ clientAuth: 'requested', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', keystore: { type: 'PKCS12' } });
  expect(external!.tls!.verifyHostname).toBe(true);
  expect(internal!.tls!.spec).toMatchObject({ clientAuth: 'required', minVersion: 'TLSv1.3', keystore: { type: 'PEM' }, truststore: { type: 'PEM' } });
  expect(internal!.tls!.verifyHostname).toBe(false);
  expect(cfg.unknownKeys).toEqual([]);
  expect(() => brokerConfigFromText(`listeners=SSL://127.0.0.1:0\nssl.keystore.type=PEM\nssl.keystore.location=${pki.server.pem}\nssl.keystore.key=x`)).toThrow(/not both/);
  const pem = `listeners=SSL://127.0.0.1:0\nssl.keystore.type=PEM\nssl.keystore.location=${pki.server.pem}`;
  expect(brokerConfigFromText(`${pem}\nssl.protocol=TLSv1.2`).listeners[0]!.tls!.spec).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  expect(() => brokerConfigFromText(`${pem}\nssl.protocol=TLSv1.2\nssl.enabled.protocols=TLSv1.3`)).toThrow(/ssl.protocol .*TLSv1.2 is below every protocol/);
  expect(() => brokerConfigFromText(`listeners=SSL://127.0.0.1:0\nssl.keystore.type=PKCS12\nssl.keystore.location=${pki.server.p12}\nssl.keystore.password=wrong`)).toThrow(
    /ssl.keystore.location \(or listener.name.ssl.ssl.keystore.location\): .*wrong password/,
  );
});

test('a zoo.cfg with secureClientPort and no clientPort serves TLS only; store types follow the file name', () => {
  const { config } = parseZooCfg(
    [`secureClientPort=0`, `ssl.keyStore.location=${pki.server.pem}`, `ssl.trustStore.location=${pki.caPem}`, 'ssl.clientAuth=want'].join('\n'),
  );
  expect(config.servePlaintext).toBe(false);
  expect(config.secure!.spec).toMatchObject({ clientAuth: 'requested', keystore: { type: 'PEM' }, truststore: { type: 'PEM' } });
  expect(parseZooCfg(`clientPort=2181\nsecureClientPort=0\nssl.keyStore.location=${pki.server.p12}\nssl.keyStore.password=${STORE_PASSWORD}`).config.servePlaintext).toBe(true);
});

test('PKCS#12 truststores from openssl and from keytool are read; a wrong password and a JKS file are refused', () => {
  const ca = readFileSync(pki.caPem, 'utf8').replace(/\s/g, '');
  expect(pkcs12Certificates(readFileSync(pki.truststoreP12), STORE_PASSWORD).map((c) => c.replace(/\s/g, ''))).toEqual([ca]);
  expect(pkcs12Certificates(readFileSync(pki.javaTruststore()), STORE_PASSWORD).map((c) => c.replace(/\s/g, ''))).toEqual([ca]);
  expect(() => pkcs12Certificates(readFileSync(pki.truststoreP12), 'wrong')).toThrow(/wrong password/);
  const jks = `${pki.dir}/trust.jks`;
  execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', pki.caPem, '-keystore', jks, '-storetype', 'JKS', '-storepass', STORE_PASSWORD], { stdio: 'ignore' });
  expect(() => brokerConfigFromText(`listeners=SSL://127.0.0.1:0\nssl.keystore.type=PKCS12\nssl.keystore.location=${pki.server.p12}\nssl.keystore.password=${STORE_PASSWORD}\nssl.truststore.location=${jks}\nssl.truststore.password=${STORE_PASSWORD}`)).toThrow(
    /is a JKS keystore, which Skein cannot read; convert it: keytool -importkeystore/,
  );
  writeFileSync(`${pki.dir}/garbage.p12`, 'not a keystore');
  expect(() => pkcs12Certificates(readFileSync(`${pki.dir}/garbage.p12`), STORE_PASSWORD)).toThrow(/not a readable PKCS#12 file/);
});
