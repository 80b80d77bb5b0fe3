// What the perf commands need to know about a cluster: a topic's partitions and a connection to each leader.
import { ApiKey, ErrorCode, errorInfo, KafkaProtocolError } from '../../protocol/kafka/index.js';
import { KafkaConnection, type ConnectionSecurity } from '../kafka/client/connection.js';

/** How long to wait for an auto-created topic's partitions to get leaders. */
const METADATA_RETRY_MS = 10_000;

export interface PartitionLeader {
  partition: number;
  conn: KafkaConnection;
}

export class Cluster {
  private readonly byNode = new Map<number, Promise<KafkaConnection>>();

  private constructor(
    private readonly bootstrap: KafkaConnection,
    private readonly clientId: string,
    private readonly security: ConnectionSecurity,
  ) {}

  /**
   * Connects to the first of `bootstrap` that answers, as Kafka's clients pick a bootstrap server; every
   * connection with `security` (TLS, SASL login) when the listeners ask for it.
   */
  static async connect(bootstrap: readonly string[], clientId: string, security: ConnectionSecurity = {}): Promise<Cluster> {
    let lastError: unknown = new Error('no bootstrap server given');
    for (const address of bootstrap) {
      try {
        const conn = await KafkaConnection.connect(address, { clientId, ...security });
        await conn.apiVersions();
        return new Cluster(conn, clientId, security);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  /** The topic's partitions with their leaders' connections; asks for auto-creation, as clients do. */
  async partitions(topic: string): Promise<PartitionLeader[]> {
    const deadline = Date.now() + METADATA_RETRY_MS;
    for (;;) {
      const version = this.bootstrap.versionFor(ApiKey.Metadata, 9);
      const md = await this.bootstrap.send(ApiKey.Metadata, version, { topics: [{ name: topic }], allowAutoTopicCreation: true });
      const t = md.topics.find((x) => x.name === topic);
      const ready = t && t.errorCode === ErrorCode.NONE && t.partitions.length > 0 && t.partitions.every((p) => p.errorCode === ErrorCode.NONE && p.leaderId >= 0);
      if (ready) {
        const brokers = new Map(md.brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]));
        const sorted = [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
        return Promise.all(sorted.map(async (p) => ({ partition: p.partitionIndex, conn: await this.leader(p.leaderId, brokers.get(p.leaderId)) })));
      }
      const code = t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (Date.now() > deadline) throw new KafkaProtocolError(code, `topic ${topic} is not available: ${errorInfo(code).name}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private leader(nodeId: number, address: string | undefined): Promise<KafkaConnection> {
    if (address === undefined) throw new Error(`metadata names leader ${nodeId} without an address`);
    let conn = this.byNode.get(nodeId);
    if (!conn) {
      conn = KafkaConnection.connect(address, { clientId: this.clientId, ...this.security }).then(async (c) => {
        await c.apiVersions();
        return c;
      });
      this.byNode.set(nodeId, conn);
    }
    return conn;
  }

  async close(): Promise<void> {
    this.bootstrap.close();
    for (const c of this.byNode.values()) (await c).close();
  }
}
