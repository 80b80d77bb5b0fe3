// A 5-server ensemble (Skein; ZK_ENSEMBLE_IMPL=apache for Apache ZooKeeper 3.8.0) loses two servers at
// once, the leader among them, while kazoo and node-zookeeper-client write: the three left are a majority,
// so writes go on; the two come back and catch up. Nothing acknowledged is lost.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensembleImpl, ZkEnsemble } from '../../test/helpers/zk-ensemble.js';
import { JsonLinesChild } from '../helpers/json-lines-child.js';
import { ensurePaths, eventually, expectEverythingEverywhere, KazooWriter, nodeClient, NodeWriter } from './ensemble-clients.js';

const IMPL = ensembleImpl();
const ROUNDS = 3;

let ensemble: ZkEnsemble;

beforeAll(async () => {
  ensemble = await ZkEnsemble.start({ size: 5 });
  const admin = await nodeClient(ensemble.connectString);
  await ensurePaths(admin, ['/ens5/kazoo', '/ens5/node', '/ens5/kazoo-set', '/ens5/node-set']);
  admin.close();
}, 120_000);

// Clients of a test that failed before stopping them.
afterEach(async () => {
  await JsonLinesChild.killAll();
});

afterAll(async () => {
  await ensemble?.destroy();
});

describe(`5-server ${IMPL} ensemble`, () => {
  it(`kill -9 of the leader and a follower together, ${ROUNDS} rounds: writes go on with three, the two catch up, nothing acknowledged lost`, async () => {
    const node = new NodeWriter(await nodeClient(ensemble.connectString), '/ens5/node', '/ens5/node-set');
    const kz = new KazooWriter(ensemble.connectString, '/ens5/kazoo', '/ens5/kazoo-set');
    const kazooSession = await kz.ready();
    node.start();
    await eventually('both writers acknowledged writes', () => node.acks.length > 0 && kz.ackedAfter(0) > 0);

    for (let round = 1; round <= ROUNDS; round++) {
      const leader = await ensemble.leader();
      // A different follower each round, so that every server but one is killed at some point.
      const followers = ensemble.ids.filter((id) => id !== leader);
      const follower = followers[round % followers.length]!;
      await Promise.all([ensemble.kill(leader), ensemble.kill(follower)]);
      const killedAt = Date.now();
      await eventually(
        async () => `round ${round}: writes after the kill of servers ${leader} (leader) and ${follower}\n${kz.process.report()}\n${await ensemble.report()}`,
        () => node.ackedAfter(killedAt) >= 5 && kz.ackedAfter(killedAt) >= 5,
      );
      const survivor = await ensemble.leader();
      expect([leader, follower]).not.toContain(survivor);
      await Promise.all([ensemble.start(leader), ensemble.start(follower)]);
    }
    await node.stop();
    await kz.process.stop();
    expect(node.states).not.toContain('EXPIRED');
    node.client.close();
    expect(kz.process.all('session').map((e) => BigInt(e.id as string))).toEqual([kazooSession]);

    await expectEverythingEverywhere(ensemble, [node.acked, kz.acked]);
  }, 300_000);
});
