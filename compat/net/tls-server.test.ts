// TcpServer's TLS path with certificates made by openssl: the certificate principal of Kafka's rules,
// ssl.client.auth=requested (no certificate is fine, an untrusted or expired one is not), a handshake that never
// comes (timeout), connection counts back to zero after refusals, and a renewed keystore picked up by
// new connections without a restart.
import { copyFileSync } from 'node:fs';
import { connect as connectPlain } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { TcpServer, type TlsHandshake } from '../../src/net/tcp-server.js';
import { principalOf } from '../../src/kafka/principal.js';
import { PrincipalMapper } from '../../src/security/principal-mapping.js';
import { RELOAD_CHECK_MS, ReloadingTlsOptions, type TlsSpec } from '../../src/security/tls-material.js';
import { makeTestPki, STORE_PASSWORD, type TestPki } from '../helpers/certificates.js';

const log = createLogger(process.env.SKEIN_LOG_LEVEL ?? 'silent');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function spec(pki: TestPki, keystore: string, clientAuth: TlsSpec['clientAuth']): TlsSpec {
  return {
    keystore: { type: 'PKCS12', location: keystore, password: STORE_PASSWORD },
    truststore: { type: 'PKCS12', location: pki.truststoreP12, password: STORE_PASSWORD },
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    clientAuth,
    keyNames: { keystore: 'ks', truststore: 'ts', protocols: 'p', ciphers: 'c' },
  };
}

/** A TLS server whose connections answer one frame with their principal's name. */
async function principalServer(tls: TlsHandshake, mapper: PrincipalMapper): Promise<{ port: number; server: TcpServer }> {
  const server = new TcpServer({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 10,
    maxConnectionsPerAddress: 0,
    maxFrameBytes: 1024,
    tls,
    log,
    accept(socket, frames) {
      frames.sink = {
        frame: () => {
          const name = Buffer.from(principalOf(socket, mapper).name);
          const head = Buffer.alloc(4);
          head.writeInt32BE(name.length);
          socket.write(Buffer.concat([head, name]));
        },
        invalid: () => socket.destroy(),
      };
      return { end: () => socket.end(), close: () => socket.destroy() };
    },
  });
  const port = await server.listen();
  cleanups.push(() => server.close(100));
  return { port, server };
}

/** Connects with `identity` (or none), sends one frame, resolves with the answer or the failure. */
function ask(port: number, pki: TestPki, identity?: { cert: string; key: string }): Promise<{ name?: string; subject?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({
      host: '127.0.0.1',
      port,
      ca: readFileSync(pki.caPem),
      ...(identity && { cert: readFileSync(identity.cert), key: readFileSync(identity.key) }),
    });
    socket.once('secureConnect', () => socket.write(Buffer.from([0, 0, 0, 1, 0x2a])));
    socket.once('data', (d: Buffer) => {
      resolve({ name: d.subarray(4).toString(), subject: socket.getPeerX509Certificate()?.subject });
      socket.destroy();
    });
    socket.once('error', (err) => resolve({ error: err.message }));
    socket.once('close', () => resolve({ error: 'closed' }));
  });
}

test('requested client auth: the certificate names the principal by the mapping rules, none is anonymous, an untrusted or expired one is refused', async () => {
  const pki = makeTestPki();
  cleanups.push(() => pki.remove());
  const material = new ReloadingTlsOptions(spec(pki, pki.server.p12, 'requested'), log);
  const handshake: TlsHandshake = { options: () => material.options(), requestCert: true, requireCert: false, timeoutMs: 300 };
  const { port, server } = await principalServer(handshake, PrincipalMapper.parse('RULE:^CN=([^,]*),OU=Eng,.*$/$1@eng/U,DEFAULT'));
  expect((await ask(port, pki, pki.alice)).name).toBe('ALICE@ENG');
  expect((await ask(port, pki)).name).toBe('ANONYMOUS');
  expect((await ask(port, pki, pki.stranger)).name).toBeUndefined();
  expect((await ask(port, pki, pki.expired)).name).toBeUndefined();
  // A client that never starts a handshake is closed after the timeout.
  const silent = connectPlain({ host: '127.0.0.1', port });
  const closedAfter = await new Promise<number>((resolve) => {
    const t0 = Date.now();
    silent.once('close', () => resolve(Date.now() - t0));
  });
  expect(closedAfter).toBeGreaterThanOrEqual(250);
  expect(closedAfter).toBeLessThan(5_000);
  for (let i = 0; i < 100 && server.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(server.connectionCount).toBe(0);
});

test('a keystore renewed on disk is served to new connections without a restart', async () => {
  const pki = makeTestPki();
  const renewed = makeTestPki();
  cleanups.push(() => pki.remove(), () => renewed.remove());
  // The live keystore starts as the first PKI's server certificate; clients trust both CAs.
  const live = `${pki.dir}/live.p12`;
  copyFileSync(pki.server.p12, live);
  const material = new ReloadingTlsOptions(spec(pki, live, 'required'), log);
  const { port } = await principalServer({ options: () => material.options(), requestCert: true, requireCert: true, timeoutMs: 1000 }, PrincipalMapper.parse('DEFAULT'));
  const bothCas = Buffer.concat([readFileSync(pki.caPem), readFileSync(renewed.caPem)]);
  const alice = { cert: readFileSync(pki.alice.cert), key: readFileSync(pki.alice.key) };
  const serverCertOf = () =>
    new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, ca: bothCas, ...alice }, () => {
        resolve(s.getPeerX509Certificate()!.fingerprint256);
        s.destroy();
      });
      s.once('error', reject);
    });
  const before = await serverCertOf();
  copyFileSync(renewed.server.p12, live);
  await new Promise((r) => setTimeout(r, RELOAD_CHECK_MS + 200));
  // The first handshake after the check interval notices the change; from then on the new one is served.
  await serverCertOf();
  const after = await serverCertOf();
  expect(after).not.toBe(before);
  expect(after).toBe(new (await import('node:crypto')).X509Certificate(readFileSync(renewed.server.cert)).fingerprint256);
  // The renewed context still requires a client certificate.
  expect((await ask(port, renewed)).name).toBeUndefined();
}, 30_000);
