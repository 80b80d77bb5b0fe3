// multi through node-zookeeper-client's transaction(): all or nothing, with a result per op.
import zookeeper, { type Client, type Stat, type TransactionResult } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, nodeClient, startTestServer, type TestServer } from './harness.js';

const { ACL, CreateMode, Exception } = zookeeper;
let server: TestServer;
let client: Client;

beforeAll(async () => {
  server = await startTestServer();
  client = await nodeClient(server.port);
});
afterAll(async () => {
  client.close();
  await server.destroy();
});

function commit(build: (t: ReturnType<Client['transaction']>) => void): Promise<{ err: number; results: TransactionResult[] }> {
  const t = client.transaction();
  build(t);
  return new Promise((resolve) =>
    t.commit((error, results) => resolve({ err: error ? error.getCode() : 0, results: results ?? [] })),
  );
}
const exists = (path: string) => call<Stat | null>((cb) => client.exists(path, undefined, cb));

describe('transactions', () => {
  it('applies every op and reports each result', async () => {
    const { err, results } = await commit((t) =>
      t
        .create('/tx', Buffer.from('a'))
        .create('/tx/child', null, ACL.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL)
        .setData('/tx', Buffer.from('b'), 0)
        .check('/tx', 1)
        .create('/tx/seq-', null, ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL),
    );
    expect(err).toBe(0);
    expect(results.map((r) => r.type)).toEqual([1, 1, 5, 13, 1]);
    expect(results[4]!.path).toBe('/tx/seq-0000000001');
    expect(results[2]!.stat!.version).toBe(1);
    const data = await new Promise<string>((resolve) => client.getData('/tx', undefined, (_e, d) => resolve(d.toString())));
    expect(data).toBe('b');
  });

  it('changes nothing when one op fails: 0 before it, its code, RuntimeInconsistency after', async () => {
    const { err, results } = await commit((t) =>
      t.create('/tx2').setData('/tx', Buffer.from('c'), 99).create('/tx3'),
    );
    expect(err).toBe(Exception.BAD_VERSION);
    expect(results.map((r) => r.err)).toEqual([0, Exception.BAD_VERSION, Exception.RUNTIME_INCONSISTENCY]);
    expect(await exists('/tx2')).toBeNull();
    expect(await exists('/tx3')).toBeNull();
    // A later create under the same parent still gets the next sequence number: nothing leaked.
    const path = await call<string>((cb) =>
      client.create('/tx/seq-', null, ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL, cb),
    );
    expect(path).toBe('/tx/seq-0000000002');
  });

  it('lets later ops see earlier ones in the same multi', async () => {
    const { err } = await commit((t) => t.create('/chain').create('/chain/a').create('/chain/a/b').remove('/chain/a/b').remove('/chain/a'));
    expect(err).toBe(0);
    const kids = await new Promise<string[]>((resolve) => client.getChildren('/chain', undefined, (_e, c) => resolve(c)));
    expect(kids).toEqual([]);
  });

  it('fails on check version mismatches and missing nodes', async () => {
    expect((await commit((t) => t.check('/chain', 5))).err).toBe(Exception.BAD_VERSION);
    expect((await commit((t) => t.remove('/nothing'))).err).toBe(Exception.NO_NODE);
    expect((await commit((t) => t.create('/chain'))).err).toBe(Exception.NODE_EXISTS);
  });
});
