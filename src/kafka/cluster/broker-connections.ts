// Connections from this broker to the others, one per broker, opened on first use and again after one
// breaks: for the requests brokers send each other (transaction markers, share-partition state).
import { KafkaConnection, type ConnectionSecurity } from '../client/connection.js';
import type { MetadataView } from '../metadata/metadata-view.js';

export interface BrokerConnectionsContext {
  readonly metadata: MetadataView;
  /** What the connections call themselves to the other brokers (their client id). */
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  /** TLS and SASL for connections to other brokers, as the inter-broker listener asks. */
  security(): ConnectionSecurity;
}

export class BrokerConnections {
  private readonly connections = new Map<number, Promise<KafkaConnection>>();
  private closed = false;

  constructor(private readonly ctx: BrokerConnectionsContext) {}

  /** Runs `use` on the connection to broker `nodeId`; a connection that broke meanwhile is dropped, so the next call opens another. */
  async with<T>(nodeId: number, use: (conn: KafkaConnection) => Promise<T>): Promise<T> {
    const conn = await this.connection(nodeId);
    try {
      return await use(conn);
    } catch (err) {
      if (conn.closed) this.connections.delete(nodeId);
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    for (const conn of this.connections.values()) void conn.then((c) => c.close(), () => undefined);
    this.connections.clear();
  }

  private connection(nodeId: number): Promise<KafkaConnection> {
    const cached = this.connections.get(nodeId);
    if (cached) return cached;
    const node = this.ctx.metadata.liveBrokers().find((b) => b.nodeId === nodeId);
    if (!node || this.closed) return Promise.reject(new Error(`broker ${nodeId} is not reachable`));
    const host = node.host.includes(':') ? `[${node.host}]` : node.host;
    const conn = KafkaConnection.connect(`${host}:${node.port}`, { clientId: this.ctx.clientId, requestTimeoutMs: this.ctx.requestTimeoutMs, ...this.ctx.security() });
    this.connections.set(nodeId, conn);
    conn.then(
      (c) => c.onClose(() => {
        if (this.connections.get(nodeId) === conn) this.connections.delete(nodeId);
      }),
      () => this.connections.delete(nodeId),
    );
    return conn;
  }
}
