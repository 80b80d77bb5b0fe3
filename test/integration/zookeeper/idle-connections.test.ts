// Connections that never become sessions: ZooKeeper closes a connection that sends no ConnectRequest
// within zookeeper.nio.sessionlessCnxnTimeout, so sockets that connect and wait cannot use up
// maxClientCnxns and lock real clients of the same address out. A session's connection that falls
// silent is closed when its session expires.
import { connect, type Socket } from 'node:net';
import type { Client } from 'node-zookeeper-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { nodeClient, startTestServer, until, type TestServer } from './harness.js';

const HANDSHAKE_MS = 500;
const MAX_PER_ADDRESS = 60;
/** Generous: deadlines are checked at intervals and the machine may be busy. */
const DEADLINE_MS = 15_000;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ sessionlessCnxnTimeoutMs: HANDSHAKE_MS, maxClientCnxns: MAX_PER_ADDRESS });
});
afterAll(() => server.destroy());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error('the server kept the connection open')), DEADLINE_MS);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
  });
}

test('a connection that sends no ConnectRequest, or sends it a byte at a time, is closed at the handshake timeout', async () => {
  const started = Date.now();
  const silent = await open();
  const trickling = await open();
  // The start of a ConnectRequest, one byte per tenth of the timeout: never idle, never complete.
  const partial = Buffer.from([0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  let sent = 0;
  const trickle = setInterval(() => {
    if (!trickling.destroyed && sent < partial.length) trickling.write(partial.subarray(sent, ++sent));
  }, HANDSHAKE_MS / 10);
  try {
    await Promise.all([closed(silent), closed(trickling)]);
  } finally {
    clearInterval(trickle);
  }
  expect(Date.now() - started).toBeGreaterThanOrEqual(HANDSHAKE_MS - 50);
});

test(`${MAX_PER_ADDRESS} idle sockets from one address do not lock a real client of that address out`, async () => {
  const idle = await Promise.all(Array.from({ length: MAX_PER_ADDRESS }, open));
  // The address is at its limit: one more connection is refused at once.
  const extra = await open();
  await closed(extra);
  let client: Client | undefined;
  const connected = nodeClient(server.port).then((c) => (client = c));
  try {
    await until(() => client !== undefined, DEADLINE_MS);
    await connected;
    expect(client!.getState().name).toBe('SYNC_CONNECTED');
  } finally {
    client?.close();
    for (const s of idle) s.destroy();
  }
  await Promise.all(idle.map(closed));
});

test('a session whose connection falls silent is closed when the session expires', async () => {
  const zk = await ZooKeeperConnection.connect(server.port, { timeout: 300 });
  const socketClosed = closed(zk.socket);
  await socketClosed;
});
