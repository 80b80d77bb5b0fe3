// A 3-server ensemble in-process: writes on any server, reads after writes, failover of the leader
// without losing an acknowledged write, sessions that live on across servers, sync, and servers that
// stop serving without a quorum.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, KeeperError } from '../../../protocol/zookeeper/codes.js';
import { startEnsemble, type TestEnsemble } from './ensemble-harness.js';
import { fourLetterWord } from './harness.js';

let ens: TestEnsemble | undefined;
afterEach(async () => {
  await ens?.close();
  ens = undefined;
});

const followerOf = (e: TestEnsemble, leader: number) => [...e.ports.keys()].find((id) => id !== leader)!;

describe('ZooKeeper ensemble of 3', () => {
  it('elects one leader; a write on a follower is answered after it commits and read back on every server', async () => {
    ens = await startEnsemble(3);
    const leader = await ens.leader();
    const follower = followerOf(ens, leader);
    const c = await ens.client({ only: [follower] });
    expect(await c.create('/a', Buffer.from('one'))).toBe('/a');
    // Read-your-write on the follower the client is connected to.
    expect((await c.getData('/a')).data?.toString()).toBe('one');
    const stat = await c.setData('/a', Buffer.from('two'));
    expect(stat.version).toBe(1);
    // The zxid is epoch << 32 | counter with the leader's term as epoch.
    expect(stat.mzxid >> 32n).toBe(BigInt(ens.member(leader)!.peer.status().term));
    // Refusals travel as transactions too and answer on the follower, in order.
    await expect(c.create('/a')).rejects.toMatchObject({ code: ErrorCode.nodeExists });
    await expect(c.setData('/a', null, 7)).rejects.toMatchObject({ code: ErrorCode.badVersion });
    await expect(c.multi([{ op: 'create', path: '/b' }, { op: 'create', path: '/a' }])).rejects.toBeInstanceOf(KeeperError);
    for (const id of ens.ports.keys()) {
      const other = await ens.client({ only: [id] });
      await other.sync('/');
      expect((await other.getData('/a')).data?.toString()).toBe('two');
      expect(await other.exists('/b')).toBeNull();
    }
    expect(await fourLetterWord(ens.ports.get(leader)!, 'srvr')).toMatch(/Mode: leader\n/);
    expect(await fourLetterWord(ens.ports.get(follower)!, 'srvr')).toMatch(/Mode: follower\n/);
    const mntr = await fourLetterWord(ens.ports.get(leader)!, 'mntr');
    expect(mntr).toMatch(/zk_server_state\tleader\n/);
    expect(mntr).toMatch(/zk_quorum_size\t3\n/);
    expect(mntr).toMatch(/zk_synced_followers\t2\n/);
  });

  it('survives the loss of the leader: every acknowledged write is kept, writes continue and sessions resume elsewhere', async () => {
    ens = await startEnsemble(3);
    const leader = await ens.leader();
    const c = await ens.client();
    const id = c.sessionId;
    await c.create('/eph', null, { mode: 'ephemeral' });
    const acked: string[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          acked.push(await c.create(`/w${i}`));
        } catch (err) {
          if (!(err instanceof KeeperError) || err.code !== ErrorCode.connectionLoss) throw err;
          // Unknown outcome: the next attempt goes to another server.
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = performance.now();
    await ens.stop(leader);
    const before = acked.length;
    const newLeader = await ens.leader();
    const failoverMs = performance.now() - killedAt;
    while (acked.length < before + 1) await new Promise((r) => setTimeout(r, 5));
    const nextAckMs = performance.now() - killedAt;
    while (acked.length < before + 20) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    console.log(`leader killed: new leader after ${failoverMs.toFixed(0)} ms, next acknowledged write after ${nextAckMs.toFixed(0)} ms`);
    await writer;
    expect(newLeader).not.toBe(leader);
    expect(failoverMs).toBeLessThan(3000);
    // The same session, now on a surviving server, still owns its ephemeral.
    expect(c.sessionId).toBe(id);
    expect((await c.exists('/eph'))?.ephemeralOwner).toBe(id);
    for (const sid of ens.ports.keys()) {
      if (sid === leader) continue;
      const reader = await ens.client({ only: [sid] });
      await reader.sync('/');
      const children = new Set(await reader.getChildren('/'));
      expect(acked.filter((p) => !children.has(p.slice(1)))).toEqual([]);
    }
  });

  it('removes the ephemerals of an expired session once, by the leader, and every server sees it', async () => {
    ens = await startEnsemble(3);
    const leader = await ens.leader();
    const follower = followerOf(ens, leader);
    const owner = await ens.client({ only: [follower], sessionTimeoutMs: 800 });
    await owner.create('/lock', null, { mode: 'ephemeral' });
    const watcher = await ens.client({ only: [leader] });
    const gone = new Promise<string>((resolve) => void watcher.exists('/lock', (ev) => resolve(ev.type === 2 ? 'deleted' : String(ev.type))));
    // The client goes silent without closing (a killed process): the leader expires it.
    await ens.stop(follower);
    expect(await gone).toBe('deleted');
    expect(await watcher.exists('/lock')).toBeNull();
  });

  it('stops serving on a server cut off from the quorum, and serves again once it is back', async () => {
    ens = await startEnsemble(3);
    const leader = await ens.leader();
    const [a, b] = [...ens.ports.keys()].filter((id) => id !== leader);
    await ens.stop(a!);
    await ens.stop(leader);
    const lone = b!;
    const deadline = Date.now() + 5000;
    while ((await fourLetterWord(ens.ports.get(lone)!, 'srvr')) !== 'This ZooKeeper instance is not currently serving requests\n') {
      if (Date.now() > deadline) throw new Error('the server kept serving without a quorum');
      await new Promise((r) => setTimeout(r, 50));
    }
    await ens.start(a!);
    await ens.leader();
    const c = await ens.client({ only: [lone] });
    expect(await c.create('/back')).toBe('/back');
  });
});
