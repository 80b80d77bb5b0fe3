// A real `skein zookeeper` process on a small tmpfs that fills up: creates of 64 KiB znodes until the
// transaction log cannot be written. The server then exits with code 74 after exactly one log line
// naming the cause (never "up but refusing everyone"); once space is freed and it is started again,
// every create it acknowledged is there. Needs root to mount the tmpfs; skipped with a note otherwise.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import { CreateRequest, PathWatchRequest } from '../../../protocol/zookeeper/records.js';
import { STORAGE_FAILURE_EXIT_CODE } from '../../../src/zookeeper/server.js';
import { SkeinZooKeeper } from '../../helpers/skein-process.js';
import { CAN_MOUNT, noteSkippedWithoutRoot, removeFiller, tmpfsForTests, writeFiller } from '../../helpers/tmpfs.js';

const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const DATA_BYTES = 64 * 1024;
const IN_FLIGHT = 4;

noteSkippedWithoutRoot('the ZooKeeper full-disk test');

function dataOf(path: string): Buffer {
  const data = Buffer.alloc(DATA_BYTES, path.length);
  data.write(path);
  return data;
}

/** Creates znodes from IN_FLIGHT concurrent loops until the server drops the connection. */
async function createUntilDropped(client: ZooKeeperConnection): Promise<string[]> {
  const acked: string[] = [];
  let n = 0;
  let dropped = false;
  const loop = async (): Promise<void> => {
    while (!dropped) {
      const path = `/full-${n++}`;
      const reply = await client.request(OpCode.create, CreateRequest, { path, data: dataOf(path), acl: ACL, flags: 0 }).catch(() => undefined);
      if (!reply) {
        dropped = true;
        break;
      }
      expect(reply.header.err).toBe(0);
      acked.push(path);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  return acked;
}

describe.skipIf(!CAN_MOUNT)('zookeeper on a disk that fills up (tmpfs)', () => {
  const tmpfs = tmpfsForTests(16);
  let zk: SkeinZooKeeper | undefined;
  afterAll(() => zk?.kill());

  it('exits with one clear line when its log cannot be written, and keeps every acknowledged create', { timeout: 120_000 }, async () => {
    zk = await SkeinZooKeeper.start([], tmpfs().dir);
    const filler = join(tmpfs().dir, 'filler');
    await writeFiller(filler, 8);
    const exited = zk.exited();
    const client = await ZooKeeperConnection.connect(zk.port);
    const acked = await createUntilDropped(client);
    client.destroy();
    expect(acked.length).toBeGreaterThan(10);
    // It exits at once; the deadline only turns "still running" into a clear failure.
    const stillRunning = new Promise<string>((resolve) => setTimeout(() => resolve('still running 30 s after its log failed'), 30_000).unref());
    expect(await Promise.race([exited, stillRunning])).toBe(STORAGE_FAILURE_EXIT_CODE);
    const fatalLines = zk.log.split('\n').filter((line) => line.includes('"level":60'));
    expect(fatalLines).toHaveLength(1);
    expect(fatalLines[0]).toMatch(/cannot write its transaction log.*ENOSPC|ENOSPC.*cannot write its transaction log/);

    await removeFiller(filler);
    await zk.launch();
    const check = await ZooKeeperConnection.connect(zk.port);
    try {
      const replies = await Promise.all(acked.map((path) => check.request(OpCode.getData, PathWatchRequest, { path, watch: false })));
      const missing = acked.filter((_, i) => replies[i]!.header.err !== 0);
      expect(missing).toEqual([]);
      const { header } = await check.request(OpCode.create, CreateRequest, { path: '/after', data: null, acl: ACL, flags: 0 });
      expect(header.err).toBe(0);
    } finally {
      check.destroy();
    }
  });
});
