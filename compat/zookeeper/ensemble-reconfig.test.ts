// Dynamic reconfiguration of a real ensemble (Skein; ZK_ENSEMBLE_IMPL=apache for Apache ZooKeeper 3.8.0)
// by unmodified clients: kazoo's reconfig grows 3 servers to 5 in one request, zkCli's `reconfig -remove`
// takes two out (the leader among them: it hands over), `reconfig -members`, `-add` and kazoo's
// new_members change a role back and forth. Writes go on throughout; a member restarted from its rewritten zoo.cfg (which now
// names the dynamic config file ZooKeeper's way) comes back with the latest membership.
// With standaloneEnabled=false, zkCli takes an ensemble down to a single voter that goes on alone.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import zookeeper, { type Exception } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../test/integration/zookeeper/harness.js';
import { ensembleImpl, ZkEnsemble } from '../../test/helpers/zk-ensemble.js';
import { run, runPythonJson } from '../helpers/commands.js';
import { eventually, nodeClient } from './ensemble-clients.js';

const IMPL = ensembleImpl();
const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';
const SUPER = 'super:test';
const DIGEST = `super:${createHash('sha1').update(SUPER).digest('base64')}`;

let ensemble: ZkEnsemble;

beforeAll(async () => {
  ensemble = await ZkEnsemble.start({ size: 5, initial: 3, extra: ['reconfigEnabled=true', `DigestAuthenticationProvider.superDigest=${DIGEST}`] });
}, 120_000);

afterAll(async () => {
  await ensemble?.destroy();
});

interface KazooAnswer {
  config?: string;
  mzxid?: number;
  error?: string;
}

const kazooReconfig = (hosts: string, fields: Record<string, unknown>) =>
  runPythonJson<KazooAnswer>(new URL('kazoo_reconfig.py', import.meta.url), { hosts, digest: SUPER, ...fields });

/** One zkCli session as the super user; its output lines without logging noise. */
async function zkCli(hosts: string, commands: string[]): Promise<string> {
  const { stdout } = await run('sh', ['-c', 'exec "$0" "$@" 2>&1', ZKCLI, '-server', hosts], `${[`addauth digest ${SUPER}`, ...commands, 'quit'].join('\n')}\n`, 120_000);
  return stdout
    .split('\n')
    .filter((l) => !l.startsWith('SLF4J') && l.trim() !== '')
    .join('\n');
}

const members = (config: string) => [...config.matchAll(/^server\.(\d+)=[^\n]*:(participant|observer)/gm)].map((m) => `${m[1]}${m[2] === 'observer' ? 'o' : ''}`);

/** A create through node-zookeeper-client given `hosts`, retried across a leader change. */
async function writeThrough(hosts: string, path: string): Promise<void> {
  const c = await nodeClient(hosts);
  try {
    await eventually(`create ${path} through ${hosts}`, async () => {
      try {
        await call<string>((cb) => c.create(path, null, zookeeper.ACL.OPEN_ACL_UNSAFE, zookeeper.CreateMode.PERSISTENT, cb));
        return true;
      } catch (err) {
        // ConnectionLoss: the outcome is unknown; NodeExists after it means it landed.
        return (err as Exception).getCode() === zookeeper.Exception.NODE_EXISTS;
      }
    });
  } finally {
    c.close();
  }
}

describe(`reconfig of a real ${IMPL} ensemble`, () => {
  it('kazoo: 3 -> 5 with two joining servers in one request; BadVersion for a stale version', async () => {
    const three = ensemble.ids.slice(0, 3).map((id) => ensemble.server(id).address).join(',');
    await Promise.all([4, 5].map((id) => ensemble.server(id).launch()));
    const grown = await kazooReconfig(three, { joining: `${ensemble.server(4).line()},${ensemble.server(5).line()}` });
    expect(grown.error).toBeUndefined();
    expect(members(grown.config!)).toEqual(['1', '2', '3', '4', '5']);
    await Promise.all([4, 5].map((id) => ensemble.waitServing(id)));
    await writeThrough(ensemble.server(5).address, '/reconfig-grown');
    const stale = await kazooReconfig(three, { leaving: '4', from_config: grown.mzxid! - 1 });
    expect(stale.error).toBe('BadVersionError');
  }, 180_000);

  it('zkCli: reconfig -remove takes out the leader and a follower; the other three elect and serve', async () => {
    const leader = await ensemble.leader();
    const follower = ensemble.ids.find((id) => id !== leader)!;
    const left = ensemble.ids.filter((id) => id !== leader && id !== follower);
    const hosts = left.map((id) => ensemble.server(id).address).join(',');
    // Through a server that stays. Skein answers once the change is committed; Apache's followers resync
    // with the new leader and drop their clients first, so zkCli may print ConnectionLoss instead (the
    // change is committed all the same, as `config` shows after).
    const out = await zkCli(hosts, [`reconfig -remove ${leader},${follower}`]);
    expect(out).toMatch(IMPL === 'skein' ? /Committed new configuration/ : /Committed new configuration|ConnectionLoss/);
    await Promise.all([ensemble.kill(leader), ensemble.kill(follower)]);
    const next = await ensemble.leader();
    expect(left).toContain(next);
    await writeThrough(hosts, '/reconfig-shrunk');
    expect(members(await zkCli(hosts, ['config']))).toEqual(left.map(String));
  }, 180_000);

  it('zkCli: reconfig -members with a role change; a member restarted from its rewritten zoo.cfg keeps the membership', async () => {
    const left = (await Promise.all(ensemble.servers.map(async (s) => ((await s.mode()) ? s.id : null)))).filter((id): id is number => id !== null);
    expect(left).toHaveLength(3);
    const hosts = left.map((id) => ensemble.server(id).address).join(',');
    const observer = left[2]!;
    const lines = left.map((id) => ensemble.server(id).line(id === observer ? 'observer' : 'participant'));
    const out = await zkCli(hosts, [`reconfig -members ${lines.join(',')}`]);
    expect(out).toMatch(IMPL === 'skein' ? /Committed new configuration/ : /Committed new configuration|ConnectionLoss/);
    expect(members(await zkCli(hosts, ['config']))).toEqual(left.map((id) => `${id}${id === observer ? 'o' : ''}`));
    await eventually(`server ${observer} observing`, async () => (await ensemble.server(observer).mode()) === 'observer');
    // A role change through -add (an existing id), then back with kazoo's new_members at the version just shown.
    expect(await zkCli(hosts, [`reconfig -add ${ensemble.server(observer).line('participant')}`])).toMatch(IMPL === 'skein' ? /Committed new configuration/ : /Committed new configuration|ConnectionLoss/);
    const promoted = await zkCli(hosts, ['config']);
    expect(members(promoted)).toEqual(left.map(String));
    const version = parseInt(/^version=([0-9a-f]+)$/m.exec(promoted)![1]!, 16);
    const demoted = await kazooReconfig(hosts, { new_members: lines.join(','), from_config: version });
    // Apache's servers may drop the client while they resync (ConnectionLoss); `config` shows the result.
    expect(IMPL === 'skein' ? [undefined] : [undefined, 'ConnectionLoss']).toContain(demoted.error);
    expect(members(await zkCli(hosts, ['config']))).toEqual(left.map((id) => `${id}${id === observer ? 'o' : ''}`));
    await eventually(`server ${observer} observing again`, async () => (await ensemble.server(observer).mode()) === 'observer');
    // The member's zoo.cfg now names the dynamic file with the new servers (ZooKeeper writes it the same
    // way), once the member has applied the change and written both files.
    const expected = left.map((id) => `${id}${id === observer ? 'o' : ''}`).join();
    let cfg = '';
    await eventually(`server ${observer}'s zoo.cfg naming a dynamic file with ${expected}`, async () => {
      cfg = await readFile(join(ensemble.server(observer).dir, 'zoo.cfg'), 'utf8');
      const dynamic = /^dynamicConfigFile=(.*)$/m.exec(cfg)?.[1];
      return dynamic !== undefined && members(await readFile(dynamic, 'utf8')).join() === expected;
    });
    expect(cfg).not.toMatch(/^server\./m);
    // kill -9 and restart a participant: it starts from that file and serves.
    const participant = left[0]!;
    await ensemble.kill(participant);
    await ensemble.server(participant).launch();
    await eventually(`server ${participant} serving again`, async () => ['leader', 'follower'].includes((await ensemble.server(participant).mode()) ?? ''));
    await writeThrough(ensemble.server(participant).address, '/reconfig-restarted');
  }, 180_000);
});

describe(`standaloneEnabled=false on a real ${IMPL} ensemble`, () => {
  let alone: ZkEnsemble;

  beforeAll(async () => {
    alone = await ZkEnsemble.start({ size: 3, extra: ['reconfigEnabled=true', `DigestAuthenticationProvider.superDigest=${DIGEST}`, 'standaloneEnabled=false'] });
  }, 120_000);

  afterAll(async () => {
    await alone?.destroy();
  });

  it('zkCli: reconfig -remove down to one voter, which leads a quorum of one and takes writes; kazoo cannot remove the last one (BadArguments)', async () => {
    const leader = await alone.leader();
    const others = alone.ids.filter((id) => id !== leader);
    const hosts = alone.server(leader).address;
    expect(await zkCli(hosts, [`reconfig -remove ${others.join(',')}`])).toMatch(/Committed new configuration/);
    expect(members(await zkCli(hosts, ['config']))).toEqual([String(leader)]);
    await Promise.all(others.map((id) => alone.kill(id)));
    expect(await alone.server(leader).mode()).toBe('leader');
    await writeThrough(hosts, '/quorum-of-one');
    expect((await kazooReconfig(hosts, { leaving: String(leader) })).error).toBe('BadArgumentsError');
  }, 180_000);
});
