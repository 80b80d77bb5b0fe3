// The cluster throughput sampler without a cluster: another broker's console is a local HTTP server
// answering counters (or too much, or nothing), and this broker's counters are a TopicTraffic.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, test } from 'vitest';
import { fetchCounters, parseCounters, PEER_REPLY_BYTES_MAX, RATE_TOPICS_MAX, trafficSampler } from '../../../src/console/cluster-traffic.js';
import { decodeHttpEndpoint, encodeHttpEndpoint } from '../../../src/kafka/cluster/http-znode.js';
import type { BrokerView } from '../../../src/metrics/broker-view.js';
import { TopicTraffic } from '../../../src/metrics/topic-traffic.js';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r))))));

async function serve(answer: (res: import('node:http').ServerResponse) => void): Promise<string> {
  const s = createServer((_req, res) => answer(res));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const counts = (n: number) => ({ bytesIn: n * 10, bytesOut: n * 20, messagesIn: n });

test("another broker's answer is checked before it is counted", () => {
  const good = { brokerId: 2, t: 1000, total: counts(3), topics: { a: counts(3), __proto__x: counts(0) } };
  expect(parseCounters(JSON.stringify(good), 2).total).toEqual(counts(3));
  expect(() => parseCounters(JSON.stringify(good), 3)).toThrow(/answered for broker 2/);
  expect(() => parseCounters('{"brokerId":2', 2)).toThrow(/not JSON/);
  expect(() => parseCounters(JSON.stringify({ ...good, total: { ...counts(1), bytesIn: -1 } }), 2)).toThrow(/counts/);
  expect(() => parseCounters(JSON.stringify({ ...good, total: { ...counts(1), bytesIn: '5' } }), 2)).toThrow(/counts/);
  expect(() => parseCounters(JSON.stringify({ ...good, topics: [] }), 2)).toThrow(/topics/);
  const many = Object.fromEntries(Array.from({ length: RATE_TOPICS_MAX + 1 }, (_, i) => [`t${i}`, counts(1)]));
  expect(() => parseCounters(JSON.stringify({ ...good, topics: many }), 2)).toThrow(/more than/);
  // __proto__ is a legal Kafka topic name: it stays a topic, not the prototype.
  const proto = parseCounters('{"brokerId":2,"t":1,"total":{"bytesIn":1,"bytesOut":0,"messagesIn":1},"topics":{"__proto__":{"bytesIn":1,"bytesOut":0,"messagesIn":1}}}', 2);
  expect([...proto.topics.keys()]).toEqual(['__proto__']);
});

test('an HTTP endpoint znode is checked: a console connects only to a host and port', () => {
  expect(decodeHttpEndpoint(encodeHttpEndpoint({ host: '10.0.0.5', port: 8080 }))).toEqual({ host: '10.0.0.5', port: 8080 });
  expect(() => decodeHttpEndpoint(Buffer.from('{"version":1,"host":"a/b@c","port":80}'))).toThrow(/host/);
  expect(() => decodeHttpEndpoint(Buffer.from('{"version":1,"host":"a","port":70000}'))).toThrow(/port/);
  expect(() => decodeHttpEndpoint(Buffer.from('{"version":2,"host":"a","port":80}'))).toThrow(/version/);
  expect(() => decodeHttpEndpoint(Buffer.alloc(2000, 0x20))).toThrow(/too large/);
  expect(() => decodeHttpEndpoint(null)).toThrow(/empty/);
});

test('an answer too large, or none in time, is refused', async () => {
  const huge = await serve((res) => res.end(Buffer.alloc(PEER_REPLY_BYTES_MAX + 1, 0x20)));
  await expect(fetchCounters(huge, 2)).rejects.toThrow(/larger than/);
  const silent = await serve(() => undefined);
  await expect(fetchCounters(silent, 2)).rejects.toThrow();
  const refused = await serve((res) => (res.statusCode = 401, res.end()));
  await expect(fetchCounters(refused, 2)).rejects.toThrow(/HTTP 401/);
});

test('the sampler sums this broker and the others that answer, and names those that do not', async () => {
  const traffic = new TopicTraffic();
  const broker = { brokerId: 1, traffic, topics: { get: () => ({}) } } as unknown as BrokerView;
  let peer = { brokerId: 2, t: 10_000, total: counts(0), topics: { a: counts(0) } };
  const url = await serve((res) => res.end(JSON.stringify(peer)));
  const sample = trafficSampler(broker, async () => [{ id: 1, url: 'unused' }, { id: 2, url }, { id: 3, url: null }]);
  traffic.of('a').messagesIn = 5;
  const first = await sample();
  expect(first.total).toBeNull();
  expect(first.coverage).toEqual({ brokers: 2, of: 3, unreachable: [3] });
  // Broker 2 counted 40 records in its own 2 s: 20 a second, whenever the console asked.
  peer = { brokerId: 2, t: 12_000, total: counts(40), topics: { a: counts(40) } };
  traffic.of('a').messagesIn = 5;
  const second = await sample();
  expect(second.total!.messagesIn).toBe(20);
  expect(second.total!.bytesIn).toBe(200);
  expect(second.topics.a!.messagesIn).toBe(20);
  expect(second.coverage).toEqual({ brokers: 2, of: 3, unreachable: [3] });
});
