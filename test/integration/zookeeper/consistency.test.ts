// Sequential consistency across sessions: an answer that reveals a write in flight (NodeExists for a
// node another session is creating) is not given before that write is applied, so a read that follows
// it can never contradict it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import { CreateRequest, PathWatchRequest } from '../../../protocol/zookeeper/records.js';
import { startTestServer, type TestServer } from './harness.js';

const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.destroy();
});

describe('cross-session consistency', () => {
  it('never reports NodeExists for a node a following read cannot see', async () => {
    const a = await ZooKeeperConnection.connect(server.port);
    const b = await ZooKeeperConnection.connect(server.port);
    let raced = 0;
    for (let i = 0; i < 50; i++) {
      const path = `/race${i}`;
      const fromA = a.request(OpCode.create, CreateRequest, { path, data: null, acl: ACL, flags: 0 });
      const fromB = await b.request(OpCode.create, CreateRequest, { path, data: null, acl: ACL, flags: 0 });
      const read = await b.request(OpCode.exists, PathWatchRequest, { path, watch: false });
      if (fromB.header.err === ErrorCode.nodeExists) raced++;
      expect(read.header.err).toBe(0);
      await fromA;
    }
    expect(raced).toBeGreaterThan(0);
    a.destroy();
    b.destroy();
  });
});
