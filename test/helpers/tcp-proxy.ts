// A TCP proxy in front of a server, for tests that break the network under a client: freeze (bytes stop
// flowing, TCP stays up), drop (connections reset, new ones still forwarded) and cut (connections reset
// and new ones refused until restore()).
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** While true, bytes are not forwarded in either direction. */
  frozen = false;
  private isCut = false;
  port = 0;
  /** Client connections accepted and forwarded so far. */
  accepted = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {
    this.server = createServer((client) => {
      client.on('error', () => {});
      if (this.isCut) {
        client.destroy();
        return;
      }
      this.accepted++;
      const upstream = connect(this.targetPort, this.targetHost);
      upstream.on('error', () => {});
      this.track(client);
      this.track(upstream);
      client.on('data', (d) => !this.frozen && upstream.write(d));
      upstream.on('data', (d) => !this.frozen && client.write(d));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  listen(): Promise<void> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as { port: number }).port;
        resolve();
      }),
    );
  }

  /** Resets the connections made so far; new ones are still forwarded. */
  drop(): void {
    for (const s of [...this.sockets]) s.destroy();
    this.sockets.clear();
  }

  /** Resets the connections and refuses new ones until restore(). */
  cut(): void {
    this.isCut = true;
    this.drop();
  }

  restore(): void {
    this.isCut = false;
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
