// The client connection against a scripted server: answers matched by correlation id in any order,
// timeouts that leave the connection usable, requests without answers, closing, version negotiation.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { ApiKey, decodeRequestFrame, encodeResponseFrame, type KafkaRequest } from '../../../protocol/kafka/index.js';
import { ConnectionClosedError, KafkaConnection, parseAddress, RequestTimeoutError } from '../../../src/kafka/client/connection.js';
import { FrameReader } from '../../../src/net/frame-reader.js';

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

/** A server handing each decoded request to `onRequest` with a way to answer it. */
async function scripted(onRequest: (req: KafkaRequest, answer: (body: unknown) => void, socket: Socket) => void): Promise<string> {
  server = createServer((socket) => {
    const reader = new FrameReader(1 << 20);
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    // Clients under test time out and hang up; an answer then written to them may fail (EPIPE, ECONNRESET).
    socket.on('error', () => {});
    reader.sink = {
      invalid: (err) => socket.destroy(err),
      frame: (frame) => {
        const req = decodeRequestFrame(frame);
        onRequest(
          req,
          (body) => {
            const chunks = encodeResponseFrame(req.apiKey, req.apiVersion, req.correlationId, body as never);
            const size = Buffer.alloc(4);
            size.writeInt32BE(chunks.reduce((n, c) => n + c.length, 0));
            socket.write(Buffer.concat([size, ...chunks]));
          },
          socket,
        );
      },
    };
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server!.address() as { port: number }).port}`;
}

const metadataAnswer = (name: string) => ({ brokers: [], clusterId: null, controllerId: 0, topics: [{ errorCode: 0, name, isInternal: false, partitions: [] }] });

test('answers are matched to requests by correlation id, whatever their order', async () => {
  const held: (() => void)[] = [];
  const address = await scripted((req, answer) => {
    if (req.apiKey !== ApiKey.Metadata) return;
    held.push(() => answer(metadataAnswer(req.body.topics![0]!.name!)));
    if (held.length === 3) for (const release of held.reverse()) release();
  });
  const conn = await KafkaConnection.connect(address);
  const answers = await Promise.all(['a', 'b', 'c'].map((name) => conn.send(ApiKey.Metadata, 9, { topics: [{ name }] })));
  expect(answers.map((a) => a.topics[0]!.name)).toEqual(['a', 'b', 'c']);
  expect(conn.inFlight).toBe(0);
  conn.close();
});

test('a request without an answer times out; a late answer is dropped and the connection goes on', async () => {
  let first = true;
  const address = await scripted((req, answer) => {
    const name = req.apiKey === ApiKey.Metadata ? req.body.topics![0]!.name! : '';
    if (first) {
      first = false;
      setTimeout(() => answer(metadataAnswer(name)), 150);
    } else {
      answer(metadataAnswer(name));
    }
  });
  const conn = await KafkaConnection.connect(address, { requestTimeoutMs: 50 });
  await expect(conn.send(ApiKey.Metadata, 9, { topics: [{ name: 'slow' }] })).rejects.toBeInstanceOf(RequestTimeoutError);
  await new Promise((r) => setTimeout(r, 200));
  const next = await conn.send(ApiKey.Metadata, 9, { topics: [{ name: 'next' }] }, { timeoutMs: 5000 });
  expect(next.topics[0]!.name).toBe('next');
  conn.close();
});

test('requests sent without a response leave nothing pending', async () => {
  const seen: number[] = [];
  const address = await scripted((req, answer) => {
    seen.push(req.apiKey);
    if (req.apiKey === ApiKey.Metadata) answer(metadataAnswer('after'));
  });
  const conn = await KafkaConnection.connect(address);
  conn.sendWithoutResponse(ApiKey.Produce, 9, { acks: 0, timeoutMs: 1000, topicData: [] });
  expect(conn.inFlight).toBe(0);
  await conn.send(ApiKey.Metadata, 9, { topics: [{ name: 'after' }] });
  expect(seen).toEqual([ApiKey.Produce, ApiKey.Metadata]);
  conn.close();
});

test('when the server closes, pending requests fail with ConnectionClosedError and later sends are refused', async () => {
  const address = await scripted((_req, _answer, socket) => socket.destroy());
  const conn = await KafkaConnection.connect(address);
  const closed = new Promise<Error>((resolve) => conn.onClose(resolve));
  await expect(conn.send(ApiKey.Metadata, 9, { topics: [] })).rejects.toBeInstanceOf(ConnectionClosedError);
  expect(await closed).toBeInstanceOf(ConnectionClosedError);
  expect(conn.closed).toBe(true);
  await expect(conn.send(ApiKey.Metadata, 9, { topics: [] })).rejects.toBeInstanceOf(ConnectionClosedError);
});

test('versionFor picks the highest version both sides speak', async () => {
  const address = await scripted((req, answer) => {
    if (req.apiKey === ApiKey.ApiVersions) {
      answer({ errorCode: 0, apiKeys: [{ apiKey: ApiKey.Fetch, minVersion: 4, maxVersion: 11 }, { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 99 }], throttleTimeMs: 0 });
    }
  });
  const conn = await KafkaConnection.connect(address);
  await conn.apiVersions();
  expect(conn.versionFor(ApiKey.Fetch)).toBe(11);
  expect(conn.versionFor(ApiKey.Fetch, 7)).toBe(7);
  expect(conn.versionFor(ApiKey.Produce)).toBe(13);
  expect(() => conn.versionFor(ApiKey.Fetch, 3)).toThrow(/no version/);
  expect(() => conn.versionFor(ApiKey.DeleteRecords)).toThrow(/no version/);
  conn.close();
});

test('connecting to a closed port fails; addresses parse with IPv6 brackets', async () => {
  const address = await scripted(() => undefined);
  server!.close();
  await new Promise((r) => setTimeout(r, 20));
  await expect(KafkaConnection.connect(address)).rejects.toBeInstanceOf(ConnectionClosedError);
  expect(parseAddress('[::1]:9092')).toEqual({ host: '::1', port: 9092 });
  expect(() => parseAddress('nohost')).toThrow(RangeError);
});
