// A 3-server ensemble in-process: writes on any server, reads after writes, failover of the leader
// without losing an acknowledged write, sessions that live on across servers, sync, and servers that
// stop serving without a quorum.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, KeeperError } from '../../../protocol/zookeeper/codes.js';
import { runAdminCommand } from '../../../src/http/admin-commands.js';
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
    // The AdminServer's `leader` names the leader on every member, as ZooKeeper 3.8's does.
    for (const id of ens.ports.keys()) {
      expect(JSON.parse(runAdminCommand('leader', ens.member(id)!.server))).toEqual({ is_leader: id === leader, leader_id: leader, leader_ip: '127.0.0.1', command: 'leader', error: null });
    }
    // /zookeeper/config shows the ensemble as ZooKeeper does, alike on every server.
    const config = (await c.getData('/zookeeper/config')).data?.toString();
    expect(config).toMatch(/^server\.1=127\.0\.0\.1:\d+:\d+:participant;127\.0\.0\.1:\d+\nserver\.2=.*\nserver\.3=.*\nversion=0$/);
    expect((await (await ens.client({ only: [leader] })).getData('/zookeeper/config')).data?.toString()).toBe(config);
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
    // Its pings reach only the follower, which relays them: the leader keeps the session alive.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await owner.exists('/lock')).not.toBeNull();
    const watcher = await ens.client({ only: [leader] });
    const gone = new Promise<string>((resolve) => void watcher.exists('/lock', (ev) => resolve(ev.type === 2 ? 'deleted' : String(ev.type))));
    // The client goes silent without closing (a killed process): the leader expires it.
    await ens.stop(follower);
    expect(await gone).toBe('deleted');
    expect(await watcher.exists('/lock')).toBeNull();
    // Its server comes back and its client reconnects there: the server checks with the leader, and the
    // session is expired, not resumed.
    await ens.start(follower);
    const deadline = Date.now() + 5000;
    while (owner.state !== 'expired' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(owner.state).toBe('expired');
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

  // A member used to claim "Mode: follower" and take clients from its start, then drop them (ConnectionLoss)
  // once leaderless for 2 election timeouts: a restarted server still looking for the leader did that to
  // zkCli in compat/zookeeper/ensemble-recipes.test.ts. ZooKeeper serves only once it has joined a leader.
  it('does not serve after a start until it knows a leader, as ZooKeeper while looking: srvr says so, and clients go elsewhere', async () => {
    ens = await startEnsemble(3);
    await ens.leader();
    for (const id of [1, 2, 3]) await ens.stop(id);
    await ens.start(1);
    const port = ens.ports.get(1)!;
    const notServing = 'This ZooKeeper instance is not currently serving requests\n';
    // Alone, it never finds one: not serving from the start on (not only after a grace).
    expect(await fourLetterWord(port, 'srvr')).toBe(notServing);
    await new Promise((r) => setTimeout(r, 600));
    expect(await fourLetterWord(port, 'srvr')).toBe(notServing);
    await ens.start(2);
    await ens.leader();
    expect(await fourLetterWord(port, 'srvr')).toMatch(/^Mode: (leader|follower)$/m);
    const c = await ens.client({ only: [1] });
    expect(await c.create('/after-restart')).toBe('/after-restart');
  });

  it('fires the watches of a client that moved to another server for what changed meanwhile (setWatches)', async () => {
    ens = await startEnsemble(3);
    const leader = await ens.leader();
    const [a, b] = [...ens.ports.keys()].filter((id) => id !== leader);
    const writer = await ens.client({ only: [b!] });
    await writer.create('/watched', Buffer.from('v0'));
    const c = await ens.client({ only: [a!, b!] });
    const events: string[] = [];
    await c.getData('/watched', (ev) => events.push(`${ev.type}:${ev.path}`));
    await c.exists('/later', (ev) => events.push(`${ev.type}:${ev.path}`));
    const servedBy = [a!, b!].find((id) => [...ens!.member(id)!.server.connections].some((conn) => conn.sessionId === c.sessionId))!;
    const other = servedBy === a ? b! : a!;
    // Its server goes; while the client reconnects, the other server applies both changes.
    const moved = new Promise<void>((resolve) => c.once('state', () => resolve()));
    await ens.stop(servedBy);
    await moved;
    const w2 = await ens.client({ only: [other, leader] });
    await w2.setData('/watched', Buffer.from('v1'));
    await w2.create('/later');
    const deadline = Date.now() + 5000;
    while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events.sort()).toEqual(['1:/later', '3:/watched']);
  });

  it('catches a server that comes back with a wiped data dir up from the leader\'s snapshot once the log it needs is compacted', async () => {
    ens = await startEnsemble(3, { extraCfg: 'snapCount=20' });
    const leader = await ens.leader();
    const lagging = followerOf(ens, leader);
    await ens.stop(lagging);
    const c = await ens.client({ only: [leader] });
    for (let i = 0; i < 60; i++) await c.create(`/s${i}`, Buffer.from(String(i)));
    await c.create('/eph', null, { mode: 'ephemeral' });
    expect(ens.member(leader)!.peer.status().snapshotIndex).toBeGreaterThan(20);
    await ens.start(lagging, { wipe: true });
    const r = await ens.client({ only: [lagging] });
    await r.sync('/');
    expect((await r.getChildren('/')).length).toBe(60 + 2);
    expect((await r.getData('/s59')).data?.toString()).toBe('59');
    // Sessions travel in the snapshot: the ephemeral's owner is live there too.
    expect((await r.exists('/eph'))?.ephemeralOwner).toBe(c.sessionId);
  });

  it('serves clients from observers, which never vote: Mode observer, writes forwarded', async () => {
    ens = await startEnsemble(3, { observers: 1 });
    const leader = await ens.leader();
    expect(leader).not.toBe(4);
    expect(await fourLetterWord(ens.ports.get(4)!, 'srvr')).toMatch(/Mode: observer\n/);
    const c = await ens.client({ only: [4] });
    await c.create('/via-observer');
    const r = await ens.client({ only: [leader] });
    expect(await r.exists('/via-observer')).not.toBeNull();
    expect(await fourLetterWord(ens.ports.get(leader)!, 'mntr')).toMatch(/zk_quorum_size\t3\n/);
  });

  it('serves reads only when cut off, with readonlymode.enabled: isro ro, NotReadOnly on writes, read-write again once the quorum is back', async () => {
    ens = await startEnsemble(3, { extraCfg: 'readonlymode.enabled=true' });
    const leader = await ens.leader();
    const [a, lone] = [...ens.ports.keys()].filter((id) => id !== leader);
    const w = await ens.client({ only: [lone!] });
    await w.create('/kept', Buffer.from('x'));
    await ens.stop(a!);
    await ens.stop(leader);
    const port = ens.ports.get(lone!)!;
    const deadline = Date.now() + 5000;
    while ((await fourLetterWord(port, 'isro')) !== 'ro') {
      if (Date.now() > deadline) throw new Error('never went read-only');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await fourLetterWord(port, 'srvr')).toMatch(/Mode: read-only\n/);
    const ro = await ens.client({ only: [lone!], canBeReadOnly: true });
    expect((await ro.getData('/kept')).data?.toString()).toBe('x');
    await expect(ro.create('/refused')).rejects.toMatchObject({ code: ErrorCode.notReadOnly });
    await ens.start(a!);
    await ens.leader();
    expect(await fourLetterWord(port, 'isro')).toBe('rw');
    // The quorum may still settle (a term change closes client connections, as ZooKeeper's leader changes
    // do): a connection lost on the way is tried again, as ZooKeeper's clients do.
    // (A create whose connection was lost may have happened: then the retry finds the node.)
    const deadline2 = Date.now() + 10_000;
    for (let lost = false; ; lost = true) {
      try {
        const rw = await ens.client({ only: [lone!] });
        expect(await rw.create('/writable')).toBe('/writable');
        break;
      } catch (err) {
        if (lost && err instanceof KeeperError && err.code === ErrorCode.nodeExists) break;
        if (!(err instanceof KeeperError) || err.code !== ErrorCode.connectionLoss || Date.now() > deadline2) throw err;
      }
    }
  });

  it('keeps everything acknowledged across a restart of the whole ensemble, sessions included', async () => {
    ens = await startEnsemble(3);
    await ens.leader();
    const c = await ens.client({ sessionTimeoutMs: 20_000 });
    for (let i = 0; i < 30; i++) await c.create(`/r${i}`, Buffer.from(String(i)));
    await c.create('/eph', null, { mode: 'ephemeral' });
    const last = await c.setData('/r0', Buffer.from('changed'));
    for (const id of [1, 2, 3]) await ens.stop(id);
    await Promise.all([1, 2, 3].map((id) => ens!.start(id)));
    await ens.leader();
    for (const id of [1, 2, 3]) {
      const r = await ens.client({ only: [id] });
      await r.sync('/');
      expect((await r.getChildren('/')).length).toBe(30 + 2);
      const { data, stat } = await r.getData('/r0');
      expect([data?.toString(), stat.mzxid]).toEqual(['changed', last.mzxid]);
      // The session outlived the restart: a new leader gave it a fresh timeout.
      expect((await r.exists('/eph'))?.ephemeralOwner).toBe(c.sessionId);
    }
  });

  it('reconfigures one server at a time (super user, reconfigEnabled): a server joins, another leaves, writes go on', async () => {
    const digest = createHash('sha1').update('super:test').digest('base64');
    ens = await startEnsemble(3, { extraCfg: `reconfigEnabled=true\nDigestAuthenticationProvider.superDigest=super:${digest}` });
    // leader() waits for every member to be in sync: until the leader counts its followers synced a
    // reconfig is NewConfigNoQuorum, checked before the permission as in ZooKeeper.
    const leader = await ens.leader();
    const c = await ens.client({ only: [leader] });
    await expect(c.reconfig('', '3')).rejects.toMatchObject({ code: ErrorCode.noAuth });
    await c.addAuth('digest', 'super:test');
    const before = (await c.getData('/zookeeper/config')).stat;
    await expect(c.reconfig('', '1,2')).rejects.toMatchObject({ code: ErrorCode.badArguments });
    await expect(c.reconfig('', '3', before.mzxid + 1n)).rejects.toMatchObject({ code: ErrorCode.badVersion });
    const joiner = await ens.addMember();
    const added = await c.reconfig(joiner.line, '');
    const text = added.data!.toString();
    expect(text).toContain(joiner.line.replace(/;.*/, ''));
    expect(text).toMatch(new RegExp(`version=${added.stat.mzxid.toString(16)}$`));
    // The joiner catches up and serves; the leader counts four voters.
    const j = await ens.client({ only: [joiner.id] });
    await j.create('/via-joiner');
    await j.sync('/');
    expect((await j.getData('/zookeeper/config')).data?.toString()).toBe(text);
    expect(await fourLetterWord(ens.ports.get(leader)!, 'mntr')).toMatch(/zk_quorum_size\t4\n/);
    // One of the original servers leaves (not the leader, whose client we hold).
    const leaving = [1, 2, 3].find((id) => id !== leader)!;
    const removed = await c.reconfig('', String(leaving), added.stat.mzxid);
    expect(removed.data!.toString()).not.toMatch(new RegExp(`^server\\.${leaving}=`, 'm'));
    await ens.stop(leaving);
    expect(await fourLetterWord(ens.ports.get(leader)!, 'mntr')).toMatch(/zk_quorum_size\t3\n/);
    expect(await c.create('/after-remove')).toBe('/after-remove');
    expect(await fourLetterWord(ens.ports.get(joiner.id)!, 'conf')).toContain(`version=${removed.stat.mzxid.toString(16)}`);
  });
});
