// Peer transports with ZooKeeper's quorum TLS (sslQuorum, ssl.quorum.*, from zoo.cfg text): mutual TLS
// between three servers; a server with a certificate from another CA, one without TLS, and one whose
// certificate does not name its address (ssl.quorum.hostnameVerification) are refused with a log line,
// whichever side dials; portUnification takes TLS and plaintext peers on one port. Certificates are made
// with openssl at test time.
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, STORE_PASSWORD, type Identity, type TestPki } from '../../../compat/helpers/certificates.js';
import type { Message, NodeId } from '../../../src/consensus/types.js';
import { parseZooCfg } from '../../../src/zookeeper/config.js';
import type { HostPort } from '../../../src/zookeeper/ensemble-config.js';
import type { QuorumTls } from '../../../src/zookeeper/tls-config.js';
import { addresses, closeTransports, startPeer, until, type TestPeer } from './peer-transports.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki?.remove());

afterEach(closeTransports);

/** Quorum TLS as a zoo.cfg with these lines gives it. */
function quorumTls(identity: Identity, lines: string[] = ['sslQuorum=true'], truststore = pki.caPem): QuorumTls | undefined {
  const text = [
    'dataDir=/nonexistent',
    'initLimit=10',
    'syncLimit=5',
    'server.1=127.0.0.1:2888:3888',
    'server.2=127.0.0.1:2889:3889',
    `ssl.quorum.keyStore.location=${identity.p12}`,
    `ssl.quorum.keyStore.password=${STORE_PASSWORD}`,
    `ssl.quorum.trustStore.location=${truststore}`,
    ...lines,
  ].join('\n');
  return parseZooCfg(text, [], { read: (path) => (path.endsWith('myid') ? '1\n' : undefined) }).config.quorumTls;
}

async function startNode(id: NodeId, all: Map<NodeId, HostPort>, tls: QuorumTls | undefined): Promise<TestPeer> {
  return startPeer(id, all, tls && { tls });
}

const heartbeat = (from: NodeId, to: NodeId): Message => ({ type: 'heartbeat', from, to, term: 3, commit: 7, round: 0 });
const connected = (node: TestPeer, peer: NodeId) => node.transport.stats(peer).connected;

describe('quorum TLS', () => {
  it('three servers with certificates from the trusted CA exchange messages over mutual TLS', async () => {
    const all = await addresses(3);
    const tls = quorumTls(pki.server);
    expect(tls).toMatchObject({ dialTls: true, acceptPlaintext: false, hostnameVerification: true, spec: { clientAuth: 'required' } });
    const nodes = await Promise.all([1, 2, 3].map((id) => startNode(id, all, tls)));
    for (const from of [1, 2, 3]) for (const to of [1, 2, 3]) if (from !== to) nodes[from - 1]!.transport.send(heartbeat(from, to));
    await until('every pair delivered', () => nodes.every((n) => n.received.length === 2));
    for (const [i, n] of nodes.entries()) expect(n.received.map((m) => m.from).sort()).toEqual([1, 2, 3].filter((id) => id !== i + 1));
    expect(nodes.flatMap((n) => n.logged)).toContain('quorum connection up');
  });

  it('a server with a certificate from another CA is refused whichever side dials, with a log line on both', async () => {
    const all = await addresses(3);
    const [one, two] = await Promise.all([1, 2].map((id) => startNode(id, all, quorumTls(pki.server))));
    // The stranger's world: its own CA signed its certificate and is all it trusts.
    const stranger = await startNode(3, all, quorumTls(pki.stranger, undefined, join(pki.dir, 'other-ca.pem')));
    await until('1 and 2 connected', () => connected(one!, 2));
    // Server 3 dials 1 and 2 (the larger id dials): they refuse its certificate, it refuses theirs.
    await until('refusals logged', () => one!.logged.some((l) => l.includes('quorum TLS handshake refused')) && stranger.logged.some((l) => l.includes('quorum TLS connection refused')));
    expect(connected(one!, 3) || connected(two!, 3) || connected(stranger, 1)).toBe(false);
    const refusal = JSON.parse(one!.lines.find((l) => l.includes('quorum TLS handshake refused'))!) as { remote: string; err: string };
    expect(refusal.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    // Retried every ~200 ms here, but warned about once per address.
    await new Promise((r) => setTimeout(r, 600));
    expect(one!.lines.filter((l) => l.includes('"level":40') && l.includes('quorum TLS handshake refused'))).toHaveLength(1);
  });

  it('a plaintext server is refused by a TLS quorum port; with portUnification the port takes both', async () => {
    const all = await addresses(3);
    const tlsOne = await startNode(1, all, quorumTls(pki.server));
    const plainTwo = await startNode(2, all, undefined);
    await until('refusal logged', () => tlsOne.logged.some((l) => l.includes('quorum TLS handshake refused')));
    expect(connected(tlsOne, 2)).toBe(false);
    await closeTransports();

    // Server 1 accepts TLS and plaintext (turning sslQuorum on one server at a time); 2 dials with TLS, 3 without.
    const unified = await startNode(1, all, quorumTls(pki.server, ['portUnification=true', 'ssl.quorum.handshakeDetectionTimeoutMillis=300']));
    const tlsTwo = await startNode(2, all, quorumTls(pki.server));
    const plainThree = await startNode(3, all, undefined);
    await until('both connected to server 1', () => connected(unified, 2) && connected(unified, 3));
    unified.transport.send(heartbeat(1, 2));
    unified.transport.send(heartbeat(1, 3));
    tlsTwo.transport.send(heartbeat(2, 1));
    await until('messages both ways', () => tlsTwo.received.length === 1 && plainThree.received.length === 1 && unified.received.length === 1);
    // A connection that never says which it is gets ssl.quorum.handshakeDetectionTimeoutMillis, then is closed.
    const silent = connect(all.get(1)!.port, '127.0.0.1');
    await new Promise<void>((resolve) => silent.once('close', () => resolve()).resume());
    void plainTwo;
  });

  it('ssl.quorum.hostnameVerification: a certificate that does not name the dialling server\'s address is refused; off, it is taken', async () => {
    const all = await addresses(2);
    // alice's certificate is signed by the trusted CA but names no address.
    const one = await startNode(1, all, quorumTls(pki.server));
    const alice = await startNode(2, all, quorumTls(pki.alice));
    await until('refusal logged', () => one.lines.some((l) => l.includes('quorum TLS handshake refused') && l.includes('127.0.0.1')));
    expect(connected(one, 2)).toBe(false);
    await closeTransports();
    void alice;
    const lenient = await startNode(1, all, quorumTls(pki.server, ['sslQuorum=true', 'ssl.quorum.hostnameVerification=false']));
    await startNode(2, all, quorumTls(pki.alice, ['sslQuorum=true', 'ssl.quorum.hostnameVerification=false']));
    await until('connected without the address check', () => connected(lenient, 2));
  });
});
