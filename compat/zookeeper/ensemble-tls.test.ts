// A 3-server Skein ensemble whose servers talk to each other over TLS (sslQuorum=true, ssl.quorum.* with
// PKCS12 keystores and the CA as PEM truststore, certificates made now with openssl): kazoo and
// node-zookeeper-client write while the leader is killed with -9, twice; writes go on and nothing
// acknowledged is lost. Then server 3 comes back with a certificate from another CA: the others refuse it
// (with a log line naming its address) and it cannot join; with its own certificate back it catches up.
import { readFile, writeFile } from 'node:fs/promises';
import zookeeper from 'node-zookeeper-client';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZkEnsemble } from '../../test/helpers/zk-ensemble.js';
import { makeTestPki, STORE_PASSWORD, type TestPki } from '../helpers/certificates.js';
import { JsonLinesChild } from '../helpers/json-lines-child.js';
import { answered, ensurePaths, eventually, expectEverythingEverywhere, KazooWriter, nodeClient, NodeWriter } from './ensemble-clients.js';

const ROUNDS = 2;
const ZOO_OPEN_ACL_UNSAFE = zookeeper.ACL.OPEN_ACL_UNSAFE;

let pki: TestPki;
let ensemble: ZkEnsemble;

beforeAll(async () => {
  pki = makeTestPki();
  ensemble = await ZkEnsemble.start({
    size: 3,
    impl: 'skein',
    extra: [
      'sslQuorum=true',
      `ssl.quorum.keyStore.location=${pki.server.p12}`,
      `ssl.quorum.keyStore.password=${STORE_PASSWORD}`,
      'ssl.quorum.keyStore.type=PKCS12',
      `ssl.quorum.trustStore.location=${pki.caPem}`,
      'ssl.quorum.trustStore.type=PEM',
      'ssl.quorum.hostnameVerification=true',
    ],
  });
  const admin = await nodeClient(ensemble.connectString);
  await ensurePaths(admin, ['/tls/kazoo', '/tls/node', '/tls/kazoo-set', '/tls/node-set']);
  admin.close();
}, 120_000);

afterEach(async () => {
  await JsonLinesChild.killAll();
});

afterAll(async () => {
  await ensemble?.destroy();
  pki?.remove();
});

describe('3-server ensemble with quorum TLS', () => {
  it(`kill -9 of the leader, ${ROUNDS} rounds, under kazoo and node-zookeeper-client: writes go on, nothing acknowledged lost`, async () => {
    const node = new NodeWriter(await nodeClient(ensemble.connectString), '/tls/node', '/tls/node-set');
    const kz = new KazooWriter(ensemble.connectString, '/tls/kazoo', '/tls/kazoo-set');
    await kz.ready();
    node.start();
    await eventually('both writers acknowledged writes', () => node.acks.length > 0 && kz.ackedAfter(0) > 0);
    for (let round = 1; round <= ROUNDS; round++) {
      const leader = await ensemble.leader();
      await ensemble.kill(leader);
      const killedAt = Date.now();
      await eventually(
        async () => `round ${round}: writes after the kill of leader ${leader}\n${kz.process.report()}\n${await ensemble.report()}`,
        () => node.ackedAfter(killedAt) >= 5 && kz.ackedAfter(killedAt) >= 5,
      );
      expect(await ensemble.leader()).not.toBe(leader);
      await ensemble.start(leader);
    }
    await node.stop();
    await kz.process.stop();
    node.client.close();
    await expectEverythingEverywhere(ensemble, [node.acked, kz.acked]);
  }, 180_000);

  it('a server with a certificate from another CA is refused by the others and cannot join; with its own it catches up', async () => {
    const victim = ensemble.servers.find((s) => s.id === 3)!;
    const cfgPath = join(victim.dir, 'zoo.cfg');
    const cfg = await readFile(cfgPath, 'utf8');
    await ensemble.kill(3);
    const from = ensemble.servers.filter((s) => s.id !== 3).map((s) => s.log.length);
    await writeFile(cfgPath, cfg.replace(`ssl.quorum.keyStore.location=${pki.server.p12}`, `ssl.quorum.keyStore.location=${pki.stranger.p12}`));
    await victim.launch();
    const others = ensemble.servers.filter((s) => s.id !== 3);
    await eventually('the others log the refused handshake', () => others.some((s, i) => s.log.slice(from[i]).includes('quorum TLS handshake refused')));
    const refusal = others.map((s, i) => s.log.slice(from[i])).join('').split('\n').find((l) => l.includes('quorum TLS handshake refused'))!;
    expect(refusal).toContain('"remote":"127.0.0.1:');
    expect(await victim.mode()).toBeNull();
    // A write through the two others still works, and the stranger never learns of it.
    const client = await nodeClient(others.map((s) => s.address).join(','));
    await answered('create /tls/while-refused', (cb) => client.create('/tls/while-refused', Buffer.from('x'), ZOO_OPEN_ACL_UNSAFE, 0, cb));
    client.close();
    await ensemble.kill(3);
    await writeFile(cfgPath, cfg);
    await ensemble.start(3);
    await expectEverythingEverywhere(ensemble, []);
  }, 120_000);
});
