// ISR changes in Kafka's ZooKeeper mode: the leader writes the partition state znode conditionally on
// the version it holds (its partition epoch), then creates a sequential /isr_change_notification node
// so the controller re-reads the state and tells every broker (UpdateMetadata).
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import {
  decodePartitionState,
  encodeIsrChangeNotification,
  encodePartitionState,
  ISR_CHANGE_NOTIFICATION_PATH,
  ISR_CHANGE_PREFIX,
  partitionStatePath,
} from '../../../protocol/kafka/zk/znodes.js';
import { ErrorCode as ZkErrorCode, KeeperError } from '../../../protocol/zookeeper/codes.js';
import type { IsrChangeResult } from '../../consensus/partition-replication.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import type { IsrUpdate, IsrWriter } from './isr-writer.js';

export class ZkIsrWriter implements IsrWriter {
  constructor(private readonly zk: ZooKeeperClient) {}

  async write(topic: string, partition: number, update: IsrUpdate, partitionEpoch: number): Promise<IsrChangeResult> {
    const path = partitionStatePath(topic, partition);
    const state = { controllerEpoch: update.controllerEpoch, leader: update.leader, leaderEpoch: update.leaderEpoch, isr: [...update.isr] };
    let version: number;
    try {
      version = (await this.zk.setData(path, encodePartitionState(state), partitionEpoch)).version;
    } catch (err) {
      if (!(err instanceof KeeperError)) throw err;
      // The partition is gone (a deletion under way): the controller's next request settles it.
      if (err.code === ZkErrorCode.noNode) return { ok: false, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      // Anything but a version conflict leaves the outcome unknown (a lost connection): sent again.
      if (err.code !== ZkErrorCode.badVersion) throw err;
      // As Kafka checks: an earlier attempt of this very write may have landed before its answer was lost.
      const { data, stat } = await this.zk.getData(path);
      const now = decodePartitionState(data, path);
      const same = now.leader === state.leader && now.leaderEpoch === state.leaderEpoch && now.controllerEpoch === state.controllerEpoch && now.isr.join() === state.isr.join();
      if (!same) return { ok: false, errorCode: ErrorCode.INVALID_UPDATE_VERSION };
      version = stat.version;
    }
    await this.zk.create(`${ISR_CHANGE_NOTIFICATION_PATH}/${ISR_CHANGE_PREFIX}`, encodeIsrChangeNotification([{ topic, partition }]), { mode: 'persistentSequential' });
    return { ok: true, leaderEpoch: state.leaderEpoch, isr: state.isr, partitionEpoch: version };
  }
}
