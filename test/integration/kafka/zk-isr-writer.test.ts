// The leader's ZooKeeper-mode ISR write against Skein's ZooKeeper: the partition state znode changes
// only at the version the leader holds, a repeat of a write that already landed is recognised, and each
// change leaves an /isr_change_notification node in Kafka's JSON for the controller.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { decodeIsrChangeNotification, decodePartitionState, encodePartitionState, partitionStatePath } from '../../../protocol/kafka/zk/znodes.js';
import { ZkIsrWriter } from '../../../src/kafka/replication/zk-isr-writer.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

let server: TestServer;
let zk: ZooKeeperClient;
const path = partitionStatePath('t', 0);

beforeEach(async () => {
  server = await startTestServer();
  zk = await ZooKeeperClient.connect(`127.0.0.1:${server.port}`);
  for (const p of ['/brokers', '/brokers/topics', '/brokers/topics/t', '/brokers/topics/t/partitions', '/brokers/topics/t/partitions/0', '/isr_change_notification']) await zk.create(p);
  await zk.create(path, encodePartitionState({ controllerEpoch: 3, leader: 1, leaderEpoch: 7, isr: [1, 2, 3] }));
});

afterEach(async () => {
  await zk.close();
  await server.destroy();
});

test('writes at the held version, recognises its own repeat, refuses a moved-on state', async () => {
  const writer = new ZkIsrWriter(zk);
  const update = { leader: 1, leaderEpoch: 7, isr: [1, 2], controllerEpoch: 3 };
  expect(await writer.write('t', 0, update, 0)).toEqual({ ok: true, leaderEpoch: 7, isr: [1, 2], partitionEpoch: 1 });
  expect(decodePartitionState((await zk.getData(path)).data)).toEqual({ controllerEpoch: 3, leader: 1, leaderEpoch: 7, isr: [1, 2] });
  // The same write again at the old version (its answer lost): it already holds.
  expect(await writer.write('t', 0, update, 0)).toEqual({ ok: true, leaderEpoch: 7, isr: [1, 2], partitionEpoch: 1 });
  // A different change at a stale version is refused.
  expect(await writer.write('t', 0, { ...update, isr: [1] }, 0)).toEqual({ ok: false, errorCode: ErrorCode.INVALID_UPDATE_VERSION });
  expect(await writer.write('gone', 0, update, 0)).toEqual({ ok: false, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  const notes = (await zk.getChildren('/isr_change_notification')).sort();
  expect(notes).toEqual(['isr_change_0000000000', 'isr_change_0000000001']);
  expect(decodeIsrChangeNotification((await zk.getData(`/isr_change_notification/${notes[0]}`)).data)).toEqual([{ topic: 't', partition: 0 }]);
});
