// Three peer transports on 127.0.0.1: messages flow between every pair, a restarted peer is reconnected,
// garbage and strangers on the quorum port are logged and cut off without delivering anything, and a
// peer that never reads costs at most the send queue's limit.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, PEER_PROTOCOL_VERSION } from '../../../protocol/consensus/frames.js';
import type { Message, NodeId } from '../../../src/consensus/types.js';
import type { HostPort } from '../../../src/zookeeper/ensemble-config.js';
import { UNIDENTIFIED_CONNECTIONS_MAX } from '../../../src/zookeeper/quorum/transport.js';
import { addresses, closeTransports, startPeer, until } from './peer-transports.js';

const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await closeTransports();
});

const heartbeat = (from: NodeId, to: NodeId, commit: number): Message => ({ type: 'heartbeat', from, to, term: 3, commit, round: 0 });
const hello = (from: NodeId, to: NodeId, version = PEER_PROTOCOL_VERSION) =>
  encodeFrame({ kind: 'hello', hello: { version, from, to, configVersion: 0x1_0000_0000n } });

function rawSocket(address: HostPort): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // Flowing, so it sees the server's hello and its close; a test that wants a peer that never reads pauses it.
    const s = connect(address.port, address.host, () => resolve(s)).resume();
    s.on('error', reject);
    sockets.push(s);
  });
}

const closedSocket = (s: Socket) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('peer transport', () => {
  it('delivers messages between every pair of three servers, in order per pair', async () => {
    const all = await addresses(3);
    const nodes = await Promise.all([1, 2, 3].map((id) => startPeer(id, all)));
    for (const from of [1, 2, 3]) {
      for (const to of [1, 2, 3]) {
        if (from === to) continue;
        for (let i = 1; i <= 20; i++) nodes[from - 1]!.transport.send(heartbeat(from, to, i));
      }
    }
    await until('40 messages at each server', () => nodes.every((n) => n.received.length === 40));
    for (const [i, node] of nodes.entries()) {
      for (const from of [1, 2, 3].filter((f) => f !== i + 1)) {
        expect(node.received.filter((m) => m.from === from).map((m) => (m.type === 'heartbeat' ? m.commit : -1))).toEqual(
          Array.from({ length: 20 }, (_, k) => k + 1),
        );
      }
    }
    // An append with entry payloads (ZooKeeper transactions as opaque bytes) arrives intact.
    const append: Message = {
      type: 'append',
      from: 3,
      to: 1,
      term: 3,
      prevIndex: 4,
      prevTerm: 2,
      commit: 4,
      entries: [{ index: 5, term: 3, counter: 1, data: new Uint8Array([1, 2, 3]) }],
    };
    nodes[2]!.transport.send(append);
    await until('the append', () => nodes[0]!.received.length === 41);
    expect(nodes[0]!.received[40]).toEqual(append);
    expect(nodes.every((n) => n.logged.every((l) => !l.startsWith('closing quorum connection')))).toBe(true);
  });

  it('reconnects to a restarted peer, whichever side dials', async () => {
    const all = await addresses(3);
    const [one, two, three] = await Promise.all([1, 2, 3].map((id) => startPeer(id, all)));
    two!.transport.send(heartbeat(2, 1, 1));
    two!.transport.send(heartbeat(2, 3, 1));
    await until('first messages', () => one!.received.length === 1 && three!.received.length === 1);
    await two!.transport.close();
    const again = await startPeer(2, all);
    // 2 dials 1 (smaller id); 3 dials 2 again once its connection dropped.
    await until('both peers reconnected', () => again.transport.stats(1).connected && again.transport.stats(3).connected);
    again.transport.send(heartbeat(2, 1, 2));
    three!.transport.send(heartbeat(3, 2, 7));
    await until('messages after the restart', () => one!.received.length === 2 && again.received.length === 1);
    expect(again.received[0]).toEqual(heartbeat(3, 2, 7));
  });

  it('closes a connection that sends garbage, a stranger, or a wrong version, with a log line, delivering nothing', async () => {
    const all = await addresses(3);
    const one = await startPeer(1, all);
    const address = all.get(1)!;

    const cutOff = async (...frames: Buffer[]) => {
      const s = await rawSocket(address);
      for (const f of frames) s.write(f);
      await closedSocket(s);
    };

    await cutOff(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await until('the garbage logged', () => one.logged.some((l) => l.startsWith('closing quorum connection: garbled frame: frame length')));

    await cutOff(hello(9, 1), encodeFrame({ kind: 'message', message: heartbeat(9, 1, 1) }));
    expect(one.logged).toContain('closing quorum connection: hello from server 9, which is not in the ensemble');

    // A real member's hello, then a frame with a flipped bit: the hello is accepted, the frame is not.
    const frame = encodeFrame({ kind: 'message', message: heartbeat(3, 1, 1) });
    frame[frame.length - 1]! ^= 0x10;
    await cutOff(hello(3, 1), frame);
    await until('the bad CRC logged', () => one.logged.some((l) => /^closing quorum connection: garbled frame: frame CRC/.test(l)));

    // A member that claims to speak for another server.
    await cutOff(hello(3, 1), encodeFrame({ kind: 'message', message: heartbeat(2, 1, 1) }));
    expect(one.logged).toContain('closing quorum connection: a message from 2 to 1 on the connection of server 3 to 1');

    // A member that believes it reached another server (a misconfigured address).
    await cutOff(hello(2, 5));
    expect(one.logged).toContain('closing quorum connection: hello addressed to server 5, this is server 1');

    // A peer of another protocol version: its hello fails to decode.
    await cutOff(hello(2, 1, 7));
    expect(one.logged).toContain(`closing quorum connection: garbled frame: peer protocol version 7, this server speaks ${PEER_PROTOCOL_VERSION}`);

    // Connections that never say hello: a bounded number wait, the rest are closed at once.
    const silent = await Promise.all(Array.from({ length: UNIDENTIFIED_CONNECTIONS_MAX }, () => rawSocket(address)));
    const extra = await rawSocket(address);
    await closedSocket(extra);
    expect(one.logged).toContain('closing quorum connection: too many connections without a hello');
    expect(silent.every((s) => !s.destroyed)).toBe(true);

    expect(one.received).toEqual([]);
  });

  it("bounds what a peer that never reads costs to the send queue's limit, dropping the oldest frames", async () => {
    const all = await addresses(2);
    const limit = 256 * 1024;
    const one = await startPeer(1, all, { sendQueueBytesMax: limit });
    // Server 2 is a raw socket that says hello and then never reads.
    const two = await rawSocket(all.get(1)!);
    two.pause();
    two.write(hello(2, 1));
    await until('server 2 connected', () => one.transport.stats(2).connected);
    const data = new Uint8Array(32 * 1024);
    let peak = 0;
    for (let i = 1; i <= 1500; i++) {
      one.transport.send({ type: 'append', from: 1, to: 2, term: 3, prevIndex: i, prevTerm: 3, commit: 0, entries: [{ index: i + 1, term: 3, counter: i + 1, data }] });
      peak = Math.max(peak, one.transport.stats(2).queuedBytes);
      // Let the socket write what the kernel takes, as a running server would between messages.
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    const stats = one.transport.stats(2);
    expect(peak).toBeLessThanOrEqual(limit);
    expect(stats.droppedFrames).toBeGreaterThan(0);
    expect(stats.sentFrames + stats.droppedFrames).toBeLessThanOrEqual(1500);
  });
});
