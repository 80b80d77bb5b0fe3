// Throughput of the whole cluster for the overview's chart and the topic list's rates. The Kafka protocol
// has no API for a broker's traffic, so each broker's console answers its own counters at /api/traffic
// (cumulative, as /metrics' kafka_server_brokertopicmetrics_*_total, in JSON), each broker says where
// that is in /skein/http/<id> (src/kafka/cluster/http-znode.ts), and a console's sampler asks every
// other registered broker in parallel, with a time-out and a size limit, and sums the rates. A broker that
// does not answer (down, or its HTTP bound to loopback on another machine) is left out, and the sample
// says which: the chart covers "2 of 3 brokers", never silently less.
import { BROKER_IDS_PATH } from '../../protocol/kafka/zk/znodes.js';
import { decodeHttpEndpoint, skeinHttpPath } from '../kafka/cluster/http-znode.js';
import type { BrokerView } from '../metrics/broker-view.js';
import type { ZooKeeperClient } from '../zookeeper/client/client.js';

/** Per second, over the interval between two samples. */
export interface Rates {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
}

/** Topics a traffic answer or sample lists at most (its total counts them all). */
export const RATE_TOPICS_MAX = 2000;
/** Brokers asked per sample at most (a cluster has far fewer). */
export const PEERS_MAX = 50;
/** A broker's answer arrives within this or the broker is counted unreachable for that sample (less than the 2 s interval). */
export const PEER_TIMEOUT_MS = 1500;
/** A broker's answer is read up to this: RATE_TOPICS_MAX topics of 249-character names fit. */
export const PEER_REPLY_BYTES_MAX = 1024 * 1024;

/** One broker's cumulative counters at its own clock's `t` (ms). */
export interface TrafficCounters {
  brokerId: number;
  t: number;
  total: Rates;
  topics: Map<string, Rates>;
}

/** What /api/traffic answers: this broker's counters since it started. */
export function localCounters(broker: BrokerView): TrafficCounters {
  const total: Rates = { bytesIn: 0, bytesOut: 0, messagesIn: 0 };
  const topics = new Map<string, Rates>();
  for (const [topic, c] of broker.traffic.live((name) => broker.topics.get(name) !== undefined)) {
    total.bytesIn += c.bytesIn;
    total.bytesOut += c.bytesOut;
    total.messagesIn += c.messagesIn;
    if (topics.size < RATE_TOPICS_MAX) topics.set(topic, { bytesIn: c.bytesIn, bytesOut: c.bytesOut, messagesIn: c.messagesIn });
  }
  return { brokerId: broker.brokerId, t: Date.now(), total, topics };
}

/** `counters` as /api/traffic sends them. */
export function countersJson(c: TrafficCounters): object {
  return { brokerId: c.brokerId, t: c.t, total: c.total, topics: Object.fromEntries(c.topics) };
}

export class PeerAnswerError extends Error {
  override readonly name = 'PeerAnswerError';
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function ratesOf(v: unknown, what: string): Rates {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (!count(o.bytesIn) || !count(o.bytesOut) || !count(o.messagesIn)) throw new PeerAnswerError(`${what}: bytesIn, bytesOut and messagesIn must be counts`);
  return { bytesIn: o.bytesIn, bytesOut: o.bytesOut, messagesIn: o.messagesIn };
}

/** Another broker's answer, checked: it is the broker asked for, and every counter is a count. */
export function parseCounters(text: string, brokerId: number): TrafficCounters {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new PeerAnswerError('not JSON');
  }
  if (typeof o !== 'object' || o === null) throw new PeerAnswerError('not an object');
  if (o.brokerId !== brokerId) throw new PeerAnswerError(`answered for broker ${String(o.brokerId)}`);
  if (!count(o.t)) throw new PeerAnswerError('t must be a time');
  if (typeof o.topics !== 'object' || o.topics === null || Array.isArray(o.topics)) throw new PeerAnswerError('topics must be an object');
  const entries = Object.entries(o.topics);
  if (entries.length > RATE_TOPICS_MAX) throw new PeerAnswerError(`more than ${RATE_TOPICS_MAX} topics`);
  // A Map, not an object: __proto__ is a legal topic name.
  const topics = new Map(entries.map(([name, v]) => [name, ratesOf(v, `topic ${name}`)]));
  return { brokerId, t: o.t, total: ratesOf(o.total, 'total'), topics };
}

/** Asks the broker at `url` for its counters: bounded in time and size. */
export async function fetchCounters(url: string, brokerId: number): Promise<TrafficCounters> {
  const res = await fetch(`${url}/api/traffic`, { signal: AbortSignal.timeout(PEER_TIMEOUT_MS), redirect: 'error' });
  if (res.status !== 200 || res.body === null) throw new PeerAnswerError(`answered HTTP ${res.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Uint8Array).length;
    // Leaving the loop cancels the rest of the body.
    if (size > PEER_REPLY_BYTES_MAX) break;
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  if (size > PEER_REPLY_BYTES_MAX) throw new PeerAnswerError(`answer larger than ${PEER_REPLY_BYTES_MAX} bytes`);
  return parseCounters(Buffer.concat(chunks).toString('utf8'), brokerId);
}

/** A registered broker and where its console answers (null: it advertised none). */
export interface Peer {
  id: number;
  url: string | null;
}

/** The registered brokers (at most PEERS_MAX) and where each one's console answers. */
export async function clusterPeers(zk: ZooKeeperClient): Promise<Peer[]> {
  const ids = (await zk.getChildren(BROKER_IDS_PATH)).map(Number).filter(Number.isSafeInteger).sort((a, b) => a - b).slice(0, PEERS_MAX);
  return Promise.all(
    ids.map(async (id) => {
      try {
        const { host, port } = decodeHttpEndpoint((await zk.getData(skeinHttpPath(id))).data);
        return { id, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
      } catch {
        // No endpoint advertised (no http.port, or an Apache Kafka broker), or a malformed one: not asked.
        return { id, url: null };
      }
    }),
  );
}

/** Which brokers a sample's rates cover. */
export interface Coverage {
  /** Brokers whose counters were read. */
  brokers: number;
  /** Brokers registered, and those seen registered before. */
  of: number;
  /** Those that did not answer (or are no longer registered). */
  unreachable: number[];
}

export interface TrafficSample {
  t: number;
  /** Null until a second sample gives an interval. */
  total: Rates | null;
  topics: Record<string, Rates>;
  coverage: Coverage | null;
}

const zero = (): Rates => ({ bytesIn: 0, bytesOut: 0, messagesIn: 0 });

function add(into: Rates, now: Rates, was: Rates | undefined, seconds: number): void {
  // A counter that went down belongs to a broker that restarted: it counted from zero since.
  const d = (k: keyof Rates) => (now[k] >= (was?.[k] ?? 0) ? now[k] - (was?.[k] ?? 0) : now[k]) / seconds;
  into.bytesIn += d('bytesIn');
  into.bytesOut += d('bytesOut');
  into.messagesIn += d('messagesIn');
}

/**
 * Throughput of the cluster since the previous call, in total and per topic: this broker's counters and
 * those of every other broker `peers` lists (undefined: a broker alone). Each stream has its own sampler.
 */
export function trafficSampler(broker: BrokerView | undefined, peers: (() => Promise<Peer[]>) | undefined): () => Promise<TrafficSample> {
  let previous = new Map<number, TrafficCounters>();
  // Every broker seen registered: one that went away stays in the count as unreachable (as the overview
  // shows it down), so a chart of 2 brokers in a cluster of 3 says so. While the registrations cannot be
  // read (ZooKeeper away), the brokers last listed are asked.
  const seen = new Map<number, Peer>();
  return async () => {
    const t = Date.now();
    if (broker === undefined) return { t, total: null, topics: {}, coverage: null };
    const listed = peers && (await peers().catch(() => undefined));
    if (listed) {
      for (const id of seen.keys()) seen.set(id, { id, url: null });
      for (const p of listed) if (seen.size < PEERS_MAX || seen.has(p.id)) seen.set(p.id, p);
    }
    const self = broker.brokerId;
    const others = [...seen.values()].filter((p) => p.id !== self).sort((a, b) => a.id - b.id);
    const answers = await Promise.all(others.map((p) => (p.url === null ? Promise.resolve(null) : fetchCounters(p.url, p.id).catch(() => null))));
    const read = [localCounters(broker), ...answers.filter((a) => a !== null)];
    const coverage = { brokers: read.length, of: others.length + 1, unreachable: others.filter((_, i) => answers[i] === null).map((p) => p.id) };
    const total = zero();
    const topics = new Map<string, Rates>();
    let rated = 0;
    for (const now of read) {
      const was = previous.get(now.brokerId);
      if (was === undefined || now.t <= was.t) continue;
      rated++;
      const seconds = (now.t - was.t) / 1000;
      add(total, now.total, was.total, seconds);
      for (const [topic, c] of now.topics) {
        let into = topics.get(topic);
        if (into === undefined && topics.size < RATE_TOPICS_MAX) topics.set(topic, (into = zero()));
        if (into) add(into, c, was.topics.get(topic), seconds);
      }
    }
    // A broker that missed this sample keeps its last counters: when it answers again its rate spans the gap.
    previous = new Map([...[...previous].filter(([id]) => id === self || seen.has(id)), ...read.map((c): [number, TrafficCounters] => [c.brokerId, c])]);
    // fromEntries defines own properties: a topic named __proto__ stays a topic.
    return { t, total: rated === 0 ? null : total, topics: Object.fromEntries(topics), coverage };
  };
}
