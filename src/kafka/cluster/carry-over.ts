// A single node's topics joining a cluster: at the first start with zookeeper.connect, the topics in
// topics.json that ZooKeeper does not have yet are written there (ids, assignments and configs kept),
// and the file is renamed so the carry-over happens once. The logs stay where they are.
import { rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import { FileTopicStore, TOPICS_FILE_NAME } from '../metadata/file-topic-store.js';
import type { TopicStore } from '../metadata/topic-store.js';

export const CARRIED_OVER_SUFFIX = '.carried-over';

export async function carryOverTopicsFile(config: BrokerConfig, store: TopicStore, log: Logger): Promise<void> {
  const path = join(config.dataDir, TOPICS_FILE_NAME);
  if (!existsSync(path)) return;
  const file = new FileTopicStore(config.dataDir);
  let carried = 0;
  for (const topic of file.list()) {
    if (store.get(topic.name)) continue;
    await store.create(topic);
    carried++;
  }
  await rename(path, `${path}${CARRIED_OVER_SUFFIX}`);
  log.info({ topics: carried, file: `${path}${CARRIED_OVER_SUFFIX}` }, 'carried the topics of topics.json over to ZooKeeper');
}
