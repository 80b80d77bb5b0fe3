// Test certificates made at test time with Debian's openssl (nothing is committed): a CA, a server
// certificate for localhost and 127.0.0.1, client certificates signed by the CA (one expired), and a
// client from a CA nobody trusts; each as PEM, PKCS#12 keystore, and the CA as PEM and PKCS#12 truststore.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The password of every generated store; test material only. */
export const STORE_PASSWORD = 'test-store-pass';

export interface Identity {
  /** PEM certificate (leaf only). */
  cert: string;
  /** PEM private key, unencrypted. */
  key: string;
  /** PKCS#12 keystore holding key and certificate, encrypted with STORE_PASSWORD. */
  p12: string;
  /** One PEM file with the key and then the certificate (Kafka's and ZooKeeper's PEM keystore file). */
  pem: string;
}

export interface TestPki {
  dir: string;
  /** The CA certificate as PEM, and as a PKCS#12 truststore (openssl's). */
  caPem: string;
  truststoreP12: string;
  /**
   * The CA as a PKCS#12 truststore written by Java's keytool: Java trusts only certificates marked as
   * trusted entries, which openssl does not write, so Java clients need this one. Made on first call.
   */
  javaTruststore(): string;
  server: Identity;
  /** Subject CN=alice,OU=Eng,O=Skein Test (RFC 2253 order). */
  alice: Identity;
  /** Signed by a CA the server does not trust. */
  stranger: Identity;
  /** Signed by the trusted CA, expired (valid for no time at all). */
  expired: Identity;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function identity(dir: string, name: string, subject: string, ca: string, extensions: string | undefined, days = 2): Identity {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  const ext = extensions === undefined ? [] : (writeFileSync(join(dir, `${name}.ext`), extensions), ['-extfile', `${name}.ext`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', String(days), ...ext]);
  openssl(dir, ['pkcs12', '-export', '-in', `${name}.pem`, '-inkey', `${name}.key`, '-out', `${name}.p12`, '-passout', `pass:${STORE_PASSWORD}`]);
  execFileSync('sh', ['-c', `cat ${name}.key ${name}.pem > ${name}-keystore.pem`], { cwd: dir });
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`), p12: join(dir, `${name}.p12`), pem: join(dir, `${name}-keystore.pem`) };
}

function authority(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`]);
}

/** Makes the test PKI in a new temp dir (about a second of openssl runs). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'skein-pki-'));
  authority(dir, 'ca', 'Skein Test CA');
  authority(dir, 'other-ca', 'Untrusted CA');
  openssl(dir, ['pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-out', 'truststore.p12', '-passout', `pass:${STORE_PASSWORD}`]);
  const serverExt = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n';
  return {
    dir,
    caPem: join(dir, 'ca.pem'),
    truststoreP12: join(dir, 'truststore.p12'),
    server: identity(dir, 'server', '/O=Skein Test/CN=localhost', 'ca', serverExt),
    alice: identity(dir, 'alice', '/O=Skein Test/OU=Eng/CN=alice', 'ca', 'extendedKeyUsage=clientAuth\n'),
    stranger: identity(dir, 'stranger', '/CN=mallory', 'other-ca', undefined),
    expired: identity(dir, 'expired', '/O=Skein Test/CN=expired', 'ca', 'extendedKeyUsage=clientAuth\n', 0),
    javaTruststore() {
      const path = join(dir, 'java-truststore.p12');
      if (!existsSync(path)) {
        execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', path, '-storetype', 'PKCS12', '-storepass', STORE_PASSWORD], {
          cwd: dir,
          stdio: 'ignore',
        });
      }
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * server.properties keys of a broker whose SSL listeners present the test server certificate, require a
 * client certificate and name its principal by CN (alice's certificate is User:alice).
 */
export function brokerSslSettings(pki: TestPki): Record<string, string> {
  return {
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': pki.server.p12,
    'ssl.keystore.password': STORE_PASSWORD,
    'ssl.key.password': STORE_PASSWORD,
    'ssl.truststore.type': 'PKCS12',
    'ssl.truststore.location': pki.truststoreP12,
    'ssl.truststore.password': STORE_PASSWORD,
    'ssl.client.auth': 'required',
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]*),.*$/$1/L,DEFAULT',
  };
}
