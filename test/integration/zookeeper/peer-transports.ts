// Peer transports on 127.0.0.1 for the transport tests: free quorum addresses, a started transport that
// records what it received and logged, and waiting for a condition. Transports started here are closed
// by closeTransports() (each test file calls it after every test).
import { pino } from 'pino';
import type { PeerWireMessage } from '../../../protocol/consensus/messages.js';
import type { NodeId } from '../../../src/consensus/types.js';
import type { HostPort } from '../../../src/zookeeper/ensemble-config.js';
import { PeerTransport, type PeerTransportOptions } from '../../../src/zookeeper/quorum/transport.js';
import { freePort } from '../../helpers/free-port.js';

export interface TestPeer {
  transport: PeerTransport;
  received: PeerWireMessage[];
  /** Each log line's message. */
  logged: string[];
  /** Each log line as written (JSON), fields and level included. */
  lines: string[];
}

const open: PeerTransport[] = [];

export async function closeTransports(): Promise<void> {
  await Promise.all(open.splice(0).map((t) => t.close()));
}

export async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function addresses(n: number): Promise<Map<NodeId, HostPort>> {
  const out = new Map<NodeId, HostPort>();
  for (let id = 1; id <= n; id++) out.set(id, { host: '127.0.0.1', port: await freePort() });
  return out;
}

/** Server `id` of the ensemble `all`, listening and dialling (with short redial backoffs). */
export async function startPeer(id: NodeId, all: Map<NodeId, HostPort>, extra: Partial<PeerTransportOptions> = {}): Promise<TestPeer> {
  const received: PeerWireMessage[] = [];
  const logged: string[] = [];
  const lines: string[] = [];
  const transport = new PeerTransport({
    myid: id,
    configVersion: 0x1_0000_0000n,
    listen: all.get(id)!,
    peers: new Map([...all].filter(([peer]) => peer !== id)),
    log: pino({ level: 'info' }, {
      write: (line: string) => {
        lines.push(line);
        logged.push((JSON.parse(line) as { msg: string }).msg);
      },
    }),
    onMessage: (m) => received.push(m),
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    ...extra,
  });
  await transport.start();
  open.push(transport);
  return { transport, received, logged, lines };
}
