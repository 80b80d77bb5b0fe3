import { expect, test } from 'vitest';
import { cipherList, protocolRange, TlsConfigError } from '../../../src/security/tls-material.js';
import { parseZooCfg } from '../../../src/zookeeper/config.js';

test('ssl.enabled.protocols: the lowest and highest named, Java names only', () => {
  expect(protocolRange(['TLSv1.3', 'TLSv1.2'], 'k')).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
  expect(protocolRange(['TLSv1.2'], 'k')).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  expect(() => protocolRange(['SSLv3'], 'ssl.enabled.protocols')).toThrow(/ssl.enabled.protocols: unknown protocol SSLv3/);
  expect(() => protocolRange([], 'k')).toThrow(TlsConfigError);
});

test('cipher suites by IANA (Java) name become OpenSSL names; OpenSSL and TLS 1.3 names pass; unknown ones are refused', () => {
  expect(
    cipherList(
      [
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
        'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
        'TLS_RSA_WITH_AES_128_GCM_SHA256',
        'TLS_AES_128_GCM_SHA256',
        'ECDHE-RSA-AES128-GCM-SHA256',
      ],
      'k',
    ),
  ).toBe('ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-CHACHA20-POLY1305:AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256');
  expect(cipherList([], 'k')).toBeUndefined();
  expect(() => cipherList(['TLS_NULL_WITH_NULL_NULL'], 'ssl.cipher.suites')).toThrow(/ssl.cipher.suites: unknown cipher suite TLS_NULL_WITH_NULL_NULL/);
});

test('zoo.cfg TLS keys: ZooKeeper\'s values and names, a secure port needs a keystore, bad values name the key', () => {
  expect(parseZooCfg('').config.secure).toBeUndefined();
  expect(parseZooCfg('').config.servePlaintext).toBe(true);
  expect(() => parseZooCfg('secureClientPort=2281')).toThrow(/ssl.keyStore.location: secureClientPort needs a keystore/);
  expect(() => parseZooCfg('secureClientPort=2281\nssl.keyStore.location=/nonexistent/k.p12')).toThrow(/ssl.keyStore.location: cannot read \/nonexistent\/k.p12: ENOENT/);
  expect(() => parseZooCfg('ssl.clientAuth=maybe')).toThrow(/ssl.clientAuth \(line 1\): expected none, want or need/);
  expect(() => parseZooCfg('ssl.keyStore.type=BCFKS')).toThrow(/BCFKS/);
  expect(() => parseZooCfg('serverCnxnFactory=com.example.Factory')).toThrow(/serverCnxnFactory \(line 1\): expected one of org.apache.zookeeper.server.NettyServerCnxnFactory/);
  const parsed = parseZooCfg('serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\nssl.hostnameVerification=false');
  expect(parsed.unusedKeys).toEqual(['ssl.hostnameVerification']);
});
