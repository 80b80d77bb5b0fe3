// Producer id blocks claimed in ZooKeeper's /latest_producer_id_block, as Kafka 2.8's ProducerIdManager
// does: read the last claimed block and its znode version, write the next block with setData at that
// version; a BADVERSION means another broker claimed first, so read again. An empty or missing znode
// means no block was claimed yet: the first is 0-999.
import { ErrorCode as ZkError } from '../../../protocol/zookeeper/codes.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { isKeeperError } from '../cluster/membership.js';
import { blockAfter, encodeBlockJson, parseBlockJson, type BlockSource, type ProducerIdBlock } from './producer-ids.js';

export const PRODUCER_ID_BLOCK_PATH = '/latest_producer_id_block';
/** Lost races before giving up: each one means another broker got a block, so this bounds a storm. */
const MAX_CLAIM_ATTEMPTS = 50;

export class ZkBlockSource implements BlockSource {
  constructor(
    private readonly zk: () => ZooKeeperClient,
    private readonly brokerId: number,
  ) {}

  async claim(): Promise<ProducerIdBlock> {
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const zk = this.zk();
      let current: { data: Buffer | null; version: number } | undefined;
      try {
        const { data, stat } = await zk.getData(PRODUCER_ID_BLOCK_PATH);
        current = { data, version: stat.version };
      } catch (err) {
        if (!isKeeperError(err, ZkError.noNode)) throw err;
      }
      const lastEnd = current?.data && current.data.length > 0 ? parseBlockJson(current.data, PRODUCER_ID_BLOCK_PATH).last : -1;
      const block = blockAfter(lastEnd);
      const json = encodeBlockJson(block, this.brokerId);
      try {
        if (current) await zk.setData(PRODUCER_ID_BLOCK_PATH, json, current.version);
        else await zk.create(PRODUCER_ID_BLOCK_PATH, json);
        return block;
      } catch (err) {
        if (!isKeeperError(err, ZkError.badVersion) && !isKeeperError(err, ZkError.nodeExists)) throw err;
      }
    }
    throw new Error(`could not claim a producer id block in ${PRODUCER_ID_BLOCK_PATH} after ${MAX_CLAIM_ATTEMPTS} attempts`);
  }
}
