// Connection limits per address: max.connections.per.ip with max.connections.per.ip.overrides, and an
// ip's connection_creation_rate quota set through AlterClientQuotas. Clients on 127.0.0.2-4 (loopback
// source addresses) so each limit has an address of its own. An admitted connection answers ApiVersions;
// a refused one is closed without a reply.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, encodeRequestFrame, ErrorCode } from '../../../protocol/kafka/index.js';
import { FrameReader } from '../../../src/net/frame-reader.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { sizePrefixed } from '../../helpers/raw-exchange.js';

let broker: TestBroker;
const open: Socket[] = [];

beforeAll(async () => {
  broker = await startTestBroker({ 'max.connections.per.ip': '1', 'max.connections.per.ip.overrides': '127.0.0.2:3,127.0.0.4:100' });
});

afterAll(async () => {
  for (const s of open) s.destroy();
  await broker?.close();
});

const apiVersions = sizePrefixed(Buffer.concat(encodeRequestFrame({ apiKey: ApiKey.ApiVersions, apiVersion: 0, correlationId: 1, clientId: 'limits' }, {} as never)));

/** Connects from `from` and asks ApiVersions: whether the broker answered (kept open) or closed the connection. */
function tryConnection(from: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const reader = new FrameReader(1 << 20);
    const socket = connect({ host: '127.0.0.1', port: broker.port, localAddress: from }, () => socket.write(apiVersions));
    reader.sink = { frame: () => resolve(true), invalid: reject };
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(false));
    open.push(socket);
  });
}

test('max.connections.per.ip.overrides gives an address its own limit; others keep max.connections.per.ip', async () => {
  expect([await tryConnection('127.0.0.2'), await tryConnection('127.0.0.2'), await tryConnection('127.0.0.2'), await tryConnection('127.0.0.2')]).toEqual([true, true, true, false]);
  expect([await tryConnection('127.0.0.3'), await tryConnection('127.0.0.3')]).toEqual([true, false]);
});

test("an ip's connection_creation_rate quota refuses connections past the rate, counting only those admitted", async () => {
  const altered = await kafkaRequest(broker.bootstrap, ApiKey.AlterClientQuotas, 1, {
    entries: [{ entity: [{ entityType: 'ip', entityName: '127.0.0.4' }], ops: [{ key: 'connection_creation_rate', value: 1, remove: false }] }],
    validateOnly: false,
  });
  expect(altered.entries[0]!.errorCode).toBe(ErrorCode.NONE);
  // The override lifts the count limit for this test: 127.0.0.4 is held by its rate alone.
  const admitted: boolean[] = [];
  for (let i = 0; i < 12; i++) {
    const socket = await tryConnection('127.0.0.4');
    admitted.push(socket);
    open.pop()!.destroy();
  }
  // 1 per second over the first span of quota.window.num - 1 = 10 windows: ten, then refusals.
  expect(admitted).toEqual([...Array<boolean>(10).fill(true), false, false]);
});
