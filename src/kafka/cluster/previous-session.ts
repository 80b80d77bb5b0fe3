// The ZooKeeper session of this broker's previous process, remembered in its data dir. A broker killed
// (kill -9, a crash, or `skein start` whose ZooKeeper died with it) leaves /brokers/ids/<id> and maybe
// /controller behind, owned by a session ZooKeeper keeps until its timeout (18 s by default). A restart
// would wait that long to register, and a one-broker cluster would have no controller meanwhile.
// The data dir is locked by one live process at a time, so the process that wrote this file is gone
// when the next one holding the lock reads it: ephemerals owned by that session are stale and are
// removed at once (with their version, so only the very node seen). Nodes of any other session are left
// alone: another broker with our id is still refused after the wait.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode as ZkError, KeeperError } from '../../../protocol/zookeeper/codes.js';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import type { Logger } from '../../logger.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';

const FILE_NAME = 'zookeeper.session';

async function read(dataDir: string): Promise<bigint | undefined> {
  try {
    const text = (await readFile(join(dataDir, FILE_NAME), 'utf8')).trim();
    return /^0x[0-9a-f]{1,16}$/.test(text) ? BigInt(text) : undefined;
  } catch {
    // Missing (first start, or a broker from before this file existed) or unreadable: nothing to clear.
    return undefined;
  }
}

/** Records the session our registration belongs to; replaced whole so a crash leaves old or new. */
export async function rememberSession(dataDir: string, sessionId: bigint): Promise<void> {
  await writeFileAtomic(join(dataDir, FILE_NAME), `0x${sessionId.toString(16)}\n`);
}

/** Deletes those of `paths` that the previous process's session still owns. The caller holds the data dir lock. */
export async function clearPreviousSession(zk: ZooKeeperClient, dataDir: string, paths: readonly string[], log: Logger): Promise<void> {
  const previous = await read(dataDir);
  if (previous === undefined || previous === zk.sessionId) return;
  for (const path of paths) {
    const stat = await zk.exists(path);
    if (!stat || stat.ephemeralOwner !== previous) continue;
    try {
      await zk.delete(path, stat.version);
      log.info({ path, session: `0x${previous.toString(16)}` }, 'removed what our previous process left in ZooKeeper');
    } catch (err) {
      // Its session expired meanwhile, or the node is someone else's now: either way not ours to remove.
      if (!(err instanceof KeeperError && (err.code === ZkError.noNode || err.code === ZkError.badVersion))) throw err;
    }
  }
}
