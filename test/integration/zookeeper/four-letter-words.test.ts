// Four-letter words over a raw socket, and the whitelist that gates them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import { CreateRequest, PathWatchRequest } from '../../../protocol/zookeeper/records.js';
import { DEFAULT_FOUR_LETTER_WORDS } from '../../../src/zookeeper/config.js';
import { fourLetterWord as word, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let session: ZooKeeperConnection;

beforeAll(async () => {
  server = await startTestServer();
  session = await ZooKeeperConnection.connect(server.port);
  const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
  await session.request(OpCode.create, CreateRequest, { path: '/watched', data: null, acl, flags: 0 });
  await session.request(OpCode.create, CreateRequest, { path: '/watched/e', data: null, acl, flags: 1 });
  await session.request(OpCode.getData, PathWatchRequest, { path: '/watched', watch: true });
});
afterAll(async () => {
  session.destroy();
  await server.destroy();
});

describe('four-letter words', () => {
  it('answers ruok and isro, even when the word arrives in pieces', async () => {
    expect(await word(server.port, 'ruok')).toBe('imok');
    expect(await word(server.port, 'ruok', true)).toBe('imok');
    expect(await word(server.port, 'isro')).toBe('rw');
  });

  it('reports server status in srvr, stat, mntr and conf', async () => {
    const srvr = await word(server.port, 'srvr');
    expect(srvr).toMatch(/^Zookeeper version: 3\.8\.0/);
    expect(srvr).toMatch(/Mode: standalone\n/);
    expect(srvr).toMatch(/Zxid: 0x[0-9a-f]+\n/);
    expect(srvr).toMatch(/Node count: \d+\n/);
    expect(await word(server.port, 'stat')).toMatch(/Clients:\n \/127\.0\.0\.1:\d+\[1\]\(queued=0,recved=\d+,sent=\d+\)/);
    const mntr = await word(server.port, 'mntr');
    expect(mntr).toMatch(/^zk_version\t3\.8\.0/);
    expect(mntr).toMatch(/zk_server_state\tstandalone\n/);
    expect(mntr).toMatch(/zk_ephemerals_count\t1\n/);
    expect(mntr).toMatch(/zk_watch_count\t1\n/);
    expect(await word(server.port, 'conf')).toMatch(new RegExp(`^clientPort=${server.port}\\n`));
  });

  it('names the version in envi the way kazoo parses it', async () => {
    const envi = await word(server.port, 'envi');
    expect(envi).toMatch(/^Environment:\nzookeeper\.version=3\.8\.0/);
  });

  it('lists connections, watches and sessions', async () => {
    const sid = `0x${BigInt.asUintN(64, session.session!.sessionId).toString(16)}`;
    expect(await word(server.port, 'cons')).toContain(`sid=${sid}`);
    expect(await word(server.port, 'wchs')).toBe('1 connections watching 1 paths\nTotal watches:1\n');
    expect(await word(server.port, 'wchc')).toBe(`${sid}\n\t/watched\n\n`);
    expect(await word(server.port, 'wchp')).toBe(`/watched\n\t${sid}\n\n`);
    const dump = await word(server.port, 'dump');
    expect(dump).toContain('SessionTracker dump:');
    expect(dump).toContain(`${sid}:\n\t/watched/e\n`);
    expect(await word(server.port, 'dirs')).toMatch(/^datadir_size: \d+\nlogdir_size: \d+\n$/);
  });

  it('answers words outside the whitelist with ZooKeeper’s refusal, and always srvr', async () => {
    const limited = await startTestServer({ fourLetterWords: new Set(['ruok', 'srvr']) });
    expect(await word(limited.port, 'wchc')).toBe('wchc is not executed because it is not in the whitelist.\n');
    expect(await word(limited.port, 'ruok')).toBe('imok');
    await limited.destroy();
    expect(DEFAULT_FOUR_LETTER_WORDS).toContain('srvr');
    for (const leaky of ['dump', 'cons', 'stat', 'conf', 'envi', 'wchc', 'wchp']) expect(DEFAULT_FOUR_LETTER_WORDS).not.toContain(leaky);
  });
});
