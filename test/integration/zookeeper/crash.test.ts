// kill -9 during a stream of acknowledged creates: after a restart every acknowledged znode exists
// and new zxids are higher than any the client saw before the crash.
import { describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import { CreateRequest, PathWatchRequest } from '../../../protocol/zookeeper/records.js';
import { zooKeeperForTests } from '../../helpers/skein-process.js';

const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const IN_FLIGHT = 64;
const zk = zooKeeperForTests();

/** Streams creates until the connection dies; returns what was acknowledged and the highest zxid seen. */
async function streamCreates(round: number, killAfterMs: number): Promise<{ acked: string[]; maxZxid: bigint }> {
  const client = await ZooKeeperConnection.connect(zk().port);
  const acked: string[] = [];
  let maxZxid = 0n;
  let n = 0;
  let dead = false;
  const one = async (): Promise<void> => {
    while (!dead) {
      const path = `/crash-${round}-${n++}`;
      try {
        const { header } = await client.request(OpCode.create, CreateRequest, {
          path,
          data: Buffer.from(path),
          acl: ACL,
          flags: 0,
        });
        if (header.err === 0) acked.push(path);
        if (header.zxid > maxZxid) maxZxid = header.zxid;
      } catch {
        dead = true;
      }
    }
  };
  const workers = Array.from({ length: IN_FLIGHT }, one);
  setTimeout(() => void zk().kill(), killAfterMs);
  await Promise.all(workers);
  return { acked, maxZxid };
}

describe('crash recovery', () => {
  it('keeps every acknowledged create across repeated kill -9 and keeps zxids rising', { timeout: 120_000 }, async () => {
    let lastZxid = 0n;
    for (let round = 0; round < 3; round++) {
      const { acked, maxZxid } = await streamCreates(round, 700 + round * 300);
      expect(acked.length).toBeGreaterThan(100);
      expect(maxZxid).toBeGreaterThan(lastZxid);
      await zk().launch();
      const check = await ZooKeeperConnection.connect(zk().port, { lastZxidSeen: maxZxid }, '127.0.0.1', {
        maxOutstanding: acked.length + 1,
      });
      const replies = await Promise.all(
        acked.map((path) => check.request(OpCode.exists, PathWatchRequest, { path, watch: false })),
      );
      const missing = acked.filter((_, i) => replies[i]!.header.err !== 0);
      expect(missing).toEqual([]);
      const { header } = await check.request(OpCode.create, CreateRequest, {
        path: `/after-${round}`,
        data: null,
        acl: ACL,
        flags: 0,
      });
      expect(header.err).toBe(0);
      expect(header.zxid).toBeGreaterThan(maxZxid);
      lastZxid = header.zxid;
      check.destroy();
    }
  });
});
