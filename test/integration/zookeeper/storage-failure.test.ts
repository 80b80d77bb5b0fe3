// The transaction log becomes unwritable (a full disk, injected through the file layer): the server
// reports it once, stops (here through the onStorageFailure hook instead of exiting the test process),
// its health answers stop saying it is fine, and a restart recovers every acknowledged write.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import { FOUR_LETTER_WORDS } from '../../../protocol/zookeeper/four-letter.js';
import { CreateRequest, PathWatchRequest } from '../../../protocol/zookeeper/records.js';
import { useFileLayer } from '../../../src/fs/file-layer.js';
import { DiskFullError } from '../../../src/fs/write-all.js';
import { defaultZooKeeperConfig } from '../../../src/zookeeper/config.js';
import { NOT_SERVING } from '../../../src/zookeeper/four-letter-words.js';
import { startZooKeeper, type RunningZooKeeper } from '../../../src/zookeeper/server.js';
import { FaultyFiles } from '../../helpers/faulty-files.js';
import { fourLetterWord, log } from './harness.js';

const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('transaction log failure', () => {
  it('stops serving, says so in ruok, srvr and mntr, and keeps every acknowledged write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skein-zk-storage-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const files = new FaultyFiles((path) => path.includes('log.'));
    cleanup.push(useFileLayer(files));
    const config = defaultZooKeeperConfig({
      dataDir: dir,
      dataLogDir: dir,
      clientPort: 0,
      clientPortAddress: '127.0.0.1',
      fourLetterWords: new Set(FOUR_LETTER_WORDS),
    });
    const failures: Error[] = [];
    let zk: RunningZooKeeper = await startZooKeeper(config, log, { onStorageFailure: (err) => failures.push(err) });
    cleanup.push(() => zk.stop());
    const port = zk.clientPort;

    const client = await ZooKeeperConnection.connect(port);
    cleanup.push(() => client.destroy());
    const create = (path: string) => client.request(OpCode.create, CreateRequest, { path, data: Buffer.from(path), acl: ACL, flags: 0 });
    expect((await create('/before')).header.err).toBe(0);
    expect(await fourLetterWord(port, 'ruok')).toBe('imok');

    files.fill();
    await expect(create('/refused')).rejects.toMatchObject({ code: ErrorCode.connectionLoss });
    expect(failures).toEqual([expect.any(DiskFullError)]);
    expect(await fourLetterWord(port, 'ruok')).toBe('');
    expect(await fourLetterWord(port, 'srvr')).toBe(NOT_SERVING);
    expect(await fourLetterWord(port, 'stat')).toBe(NOT_SERVING);
    expect(await fourLetterWord(port, 'mntr')).toBe(NOT_SERVING);
    await expect(ZooKeeperConnection.connect(port)).rejects.toThrow();

    await zk.stop();
    files.free();
    zk = await startZooKeeper({ ...config, clientPort: port }, log, { onStorageFailure: (err) => failures.push(err) });
    const check = await ZooKeeperConnection.connect(zk.clientPort);
    cleanup.push(() => check.destroy());
    expect((await check.request(OpCode.exists, PathWatchRequest, { path: '/before', watch: false })).header.err).toBe(0);
    expect(await fourLetterWord(zk.clientPort, 'ruok')).toBe('imok');
  });
});
