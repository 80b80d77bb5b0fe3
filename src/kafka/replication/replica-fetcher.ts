// A follower's fetcher: one connection to one leader broker, fetching every partition this broker
// follows there (those Kafka's fetcher-id hash gives it) in one Fetch request with replica_id set, as
// Kafka's ReplicaFetcherThread does. Each partition's fetch state comes from its replication core; a
// partition whose last append is not written yet, that is truncating, or that is backing off after an
// error sits out the round. With none to fetch, the fetcher sleeps until woken.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import type { FetchRequest } from '../../consensus/partition-replication.js';
import type { Logger } from '../../logger.js';
import { KafkaConnection, type ConnectionSecurity } from '../client/connection.js';
import type { ReplicatedPartition } from './replicated-partition.js';

/** Fetch v12: the last version naming topics (not ids), with last_fetched_epoch and diverging epochs (KIP-320/595). */
export const REPLICA_FETCH_VERSION = 12;
/** ListOffsets v2+ takes a replica id; Kafka's followers ask for the leader's log range with it. */
const LIST_OFFSETS_VERSION = 4;
const EARLIEST = -2;
const LATEST = -1;

export interface FetcherSettings {
  readonly brokerId: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  /** replica.fetch.max.bytes: per partition. */
  readonly partitionMaxBytes: number;
  /** replica.fetch.response.max.bytes: the whole answer. */
  readonly responseMaxBytes: number;
  /** The largest frame accepted back: the response limit plus one oversized batch (KIP-74). */
  readonly maxFrameBytes: number;
  readonly backoffMs: number;
  readonly socketTimeoutMs: number;
  /** TLS and SASL for each new connection to a leader, as the inter-broker listener asks. */
  security(): ConnectionSecurity;
}

export interface FetcherHost {
  readonly settings: FetcherSettings;
  readonly log: Logger;
  now(): number;
  /** host:port of a broker, or undefined while unknown. */
  endpointOf(brokerId: number): string | undefined;
}

export class ReplicaFetcher {
  private readonly partitions = new Set<ReplicatedPartition>();
  private conn: KafkaConnection | undefined;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private readonly running: Promise<void>;

  constructor(
    readonly leaderId: number,
    private readonly host: FetcherHost,
  ) {
    this.running = this.loop();
  }

  add(rp: ReplicatedPartition): void {
    this.partitions.add(rp);
    this.wake();
  }

  remove(rp: ReplicatedPartition): void {
    this.partitions.delete(rp);
  }

  has(rp: ReplicatedPartition): boolean {
    return this.partitions.has(rp);
  }

  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.conn?.close();
    this.wake();
    await this.running;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async loop(): Promise<void> {
    const { settings } = this.host;
    while (!this.stopped) {
      const now = this.host.now();
      const round: { rp: ReplicatedPartition; req: FetchRequest }[] = [];
      let retry = Infinity;
      // Partitions fetch together: one whose last append is still being written is waited for (well
      // under a ms) rather than left out of a fetch that may then sit at the leader for
      // replica.fetch.wait.max.ms. The fsync that follows runs beside the next fetch.
      if ([...this.partitions].some((rp) => rp.awaitingWritten)) {
        await this.sleep(settings.maxWaitMs);
        continue;
      }
      for (const rp of this.partitions) {
        const req = rp.fetchRequest(now);
        if (req && req.leader === this.leaderId) round.push({ rp, req });
        else if (rp.retryTime > now) retry = Math.min(retry, rp.retryTime);
      }
      if (round.length === 0) {
        // Woken by a written append, a finished truncation or a new partition; a backoff ends by itself.
        await this.sleep(retry === Infinity ? settings.socketTimeoutMs : retry - now);
        continue;
      }
      const conn = await this.connection();
      if (!conn) {
        await this.sleep(settings.backoffMs);
        continue;
      }
      try {
        await this.fetch(conn, round);
      } catch (err) {
        if (this.stopped) return;
        this.host.log.warn({ leader: this.leaderId, err: (err as Error).message }, 'replica fetch failed; backing off');
        conn.close();
        this.conn = undefined;
        await this.sleep(settings.backoffMs);
      }
    }
  }

  private async connection(): Promise<KafkaConnection | undefined> {
    if (this.conn && !this.conn.closed) return this.conn;
    this.conn = undefined;
    const address = this.host.endpointOf(this.leaderId);
    if (!address) return undefined;
    const { settings } = this.host;
    try {
      this.conn = await KafkaConnection.connect(address, {
        clientId: `skein-replica-fetcher-${settings.brokerId}`,
        requestTimeoutMs: settings.socketTimeoutMs,
        connectTimeoutMs: settings.socketTimeoutMs,
        maxResponseBytes: settings.maxFrameBytes,
        ...settings.security(),
      });
      if (this.stopped) this.conn.close();
      return this.conn;
    } catch (err) {
      this.host.log.warn({ leader: this.leaderId, address, err: (err as Error).message }, 'cannot reach the leader to fetch from');
      return undefined;
    }
  }

  private async fetch(conn: KafkaConnection, round: { rp: ReplicatedPartition; req: FetchRequest }[]): Promise<void> {
    const { settings } = this.host;
    const byTopic = new Map<string, { rp: ReplicatedPartition; req: FetchRequest }[]>();
    for (const entry of round) {
      const list = byTopic.get(entry.rp.partition.topic) ?? [];
      list.push(entry);
      byTopic.set(entry.rp.partition.topic, list);
    }
    const response = await conn.send(
      ApiKey.Fetch,
      REPLICA_FETCH_VERSION,
      {
        replicaId: settings.brokerId,
        maxWaitMs: settings.maxWaitMs,
        minBytes: settings.minBytes,
        maxBytes: settings.responseMaxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...byTopic].map(([topic, entries]) => ({
          topic,
          partitions: entries.map(({ rp, req }) => ({
            partition: rp.partition.index,
            currentLeaderEpoch: req.currentLeaderEpoch,
            fetchOffset: req.fetchOffset,
            lastFetchedEpoch: req.lastFetchedEpoch,
            logStartOffset: req.logStartOffset,
            partitionMaxBytes: settings.partitionMaxBytes,
          })),
        })),
        forgottenTopicsData: [],
        rackId: '',
      },
      { timeoutMs: settings.socketTimeoutMs + settings.maxWaitMs },
    );
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`fetch answered with error ${response.errorCode}`);
    const answers = new Map<string, (typeof response.responses)[number]['partitions'][number]>();
    for (const t of response.responses) for (const p of t.partitions) answers.set(`${t.topic}\u0000${p.partitionIndex}`, p);
    for (const { rp, req } of round) {
      const answer = answers.get(`${rp.partition.topic}\u0000${rp.partition.index}`);
      if (!answer || !this.partitions.has(rp)) continue;
      const range = answer.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE ? await this.leaderRange(conn, rp) : undefined;
      rp.onFetched(req, answer, range);
    }
  }

  /** The leader's log start and end (ListOffsets as a replica sees the whole log), after OFFSET_OUT_OF_RANGE. */
  private async leaderRange(conn: KafkaConnection, rp: ReplicatedPartition): Promise<{ logStartOffset: number; logEndOffset: number } | undefined> {
    const ask = async (timestamp: number): Promise<number | undefined> => {
      const res = await conn.send(ApiKey.ListOffsets, LIST_OFFSETS_VERSION, {
        replicaId: this.host.settings.brokerId,
        isolationLevel: 0,
        topics: [{ name: rp.partition.topic, partitions: [{ partitionIndex: rp.partition.index, currentLeaderEpoch: rp.leaderEpoch, timestamp }] }],
      });
      const p = res.topics[0]?.partitions[0];
      return p && p.errorCode === ErrorCode.NONE ? p.offset : undefined;
    };
    const [start, end] = [await ask(EARLIEST), await ask(LATEST)];
    return start === undefined || end === undefined ? undefined : { logStartOffset: start, logEndOffset: end };
  }
}
