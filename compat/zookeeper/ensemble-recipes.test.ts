// Real clients' coordination recipes on a 3-server ensemble (Skein; ZK_ENSEMBLE_IMPL=apache for Apache
// ZooKeeper 3.8.0) while its leader is killed with -9: kazoo's Lock and Election keep changing hands with
// never two holders at once, zkCli carries on in the same session (its ephemeral node stays), and
// Curator's LeaderLatch (Debian's libcurator-recipes-java) keeps one leader and, with the ZooKeeper leader
// still down, hands over to the other participant when the leading participant's process is killed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensembleImpl, ZkEnsemble } from '../../test/helpers/zk-ensemble.js';
import { run } from '../helpers/commands.js';
import { JsonLinesChild, type ClientEvent } from '../helpers/json-lines-child.js';
import { answered, eventually, kazoo, nodeClient } from './ensemble-clients.js';

const IMPL = ensembleImpl();
const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';
const CURATOR_CLASSPATH = ['/usr/share/java/curator-recipes.jar', '/usr/share/java/slf4j-nop.jar'];
/** Curator's session: short, so that a killed participant's latch node goes soon. */
const LATCH_SESSION_MS = 4_000;

let ensemble: ZkEnsemble;
/** CuratorLatch.java compiled here once. */
let classes: string;

beforeAll(async () => {
  classes = await mkdtemp(join(tmpdir(), 'curator-latch-'));
  const [compiled] = await Promise.all([
    run('javac', ['-cp', CURATOR_CLASSPATH.join(':'), '-d', classes, join(import.meta.dirname, 'CuratorLatch.java')]),
    ZkEnsemble.start({ size: 3 }).then((e) => (ensemble = e)),
  ]);
  if (compiled.code !== 0) throw new Error(`javac CuratorLatch.java failed:\n${compiled.stderr}`);
}, 120_000);

beforeEach(async () => {
  await ensemble.heal();
});

// Clients of a test that failed before stopping them.
afterEach(async () => {
  await JsonLinesChild.killAll();
});

afterAll(async () => {
  await ensemble?.destroy();
  if (classes) await rm(classes, { recursive: true, force: true });
});

/** Time spans from each `begin` event to the same participant's next `end` (or `until` if none came). */
function spans(events: ClientEvent[], begin: string, end: string, until: number): { who: string; from: number; to: number }[] {
  const open = new Map<string, number>();
  const out: { who: string; from: number; to: number }[] = [];
  for (const e of events) {
    const who = e.who as string;
    if (e.event === begin && !open.has(who)) open.set(who, e.t);
    if (e.event === end && open.has(who)) {
      out.push({ who, from: open.get(who)!, to: e.t });
      open.delete(who);
    }
  }
  for (const [who, from] of open) out.push({ who, from, to: until });
  return out.sort((x, y) => x.from - y.from);
}

/** Pairs of spans that overlap in time. */
function overlaps(list: { who: string; from: number; to: number }[]): string[] {
  return list.slice(1).flatMap((s, k) => (s.from < list[k]!.to ? [`${list[k]!.who} until ${list[k]!.to}, ${s.who} from ${s.from}`] : []));
}

async function childrenOf(path: string): Promise<string[]> {
  const client = await nodeClient(ensemble.connectString);
  try {
    return await answered<string[]>(`getChildren ${path}`, (cb) => client.getChildren(path, undefined, (e, c) => cb(e, c)));
  } finally {
    client.close();
  }
}

/** Runs a kazoo recipe (kazoo_ensemble.py lock|election) with three workers through a leader kill. */
async function kazooRecipeAcrossFailover(mode: 'lock' | 'election', path: string): Promise<void> {
  const recipe = kazoo(`kazoo ${mode}`, mode, { hosts: ensemble.connectString, path, workers: 3, hold_ms: 50 });
  await recipe.waitFor('ready', (e) => e.event === 'ready');
  await eventually('turns before the kill', () => recipe.all('begin').length >= 3);
  const leader = await ensemble.leader();
  await ensemble.kill(leader);
  const killedAt = Date.now();
  await eventually(
    async () => `${mode}: turns after the kill of leader ${leader}\n${recipe.report()}\n${await ensemble.report()}`,
    () => new Set(recipe.all('begin').filter((e) => e.t > killedAt).map((e) => e.who)).size >= 2 && recipe.all('begin').filter((e) => e.t > killedAt).length >= 6,
  );
  await ensemble.start(leader);
  await recipe.stop();
  const held = spans(recipe.events, 'begin', 'end', Date.now());
  expect(overlaps(held), `${mode}: two holders at once`).toEqual([]);
  // Every worker's session is closed, so its ephemeral contender node is gone.
  expect(await childrenOf(path)).toEqual([]);
}

describe(`recipes on a 3-server ${IMPL} ensemble across a leader kill`, () => {
  it('kazoo Lock: the lock keeps changing hands, never two holders at once', async () => {
    await kazooRecipeAcrossFailover('lock', '/recipes-ha/lock');
  }, 180_000);

  it('kazoo Election: candidates keep leading in turn, never two at once', async () => {
    await kazooRecipeAcrossFailover('election', '/recipes-ha/election');
  }, 180_000);

  it('zkCli: commands work again after the kill, in the same session (its ephemeral node stays)', async () => {
    const cli = new JsonLinesChild('zkCli', 'sh', ['-c', 'exec "$0" "$@" 2>&1', ZKCLI, '-server', ensemble.connectString]);
    const line = (text: string) => (e: ClientEvent) => e.event === 'line' && String(e.text).includes(text);
    // A command typed before the session is established fails with ConnectionLoss if the first server
    // tried turns the connection away (ZooKeeper's client fails what it queued), as a user would wait.
    await cli.waitFor('zkCli connected', line('state:SyncConnected'));
    cli.send('create /cli-ha');
    cli.send('create -e /cli-ha/eph owned');
    await cli.waitFor('the ephemeral created', line('Created /cli-ha/eph'));
    const leader = await ensemble.leader();
    await ensemble.kill(leader);
    // A command in the failover may fail (ConnectionLoss) yet have happened: each attempt has its own name.
    let created: string | undefined;
    for (let attempt = 0; created === undefined; attempt++) {
      expect(attempt, 'zkCli attempts after the kill').toBeLessThan(100);
      const path = `/cli-ha/after-${attempt}`;
      cli.send(`create ${path} x`);
      const reply = await cli.waitFor(`a reply to create ${path}`, line(path));
      if (String(reply.text).includes(`Created ${path}`)) created = path;
      else await new Promise((r) => setTimeout(r, 200));
    }
    cli.send('ls /cli-ha');
    const listing = await cli.waitFor('the listing', (e) => e.event === 'line' && /^\[.*\]$/.test(String(e.text)));
    const names = String(listing.text).slice(1, -1).split(', ');
    expect(names).toContain('eph');
    expect(names).toContain(created.slice('/cli-ha/'.length));
    await ensemble.start(leader);
    await cli.stop('quit');
    expect(cli.all('line').filter((e) => String(e.text).includes('Expired'))).toEqual([]);
    await eventually('the ephemeral goes with the closed session', async () => !(await childrenOf('/cli-ha')).includes('eph'));
  }, 180_000);

  it('Curator LeaderLatch: one leader through a leader kill; the other participant takes over when the leading one is killed', async () => {
    const path = '/recipes-ha/latch';
    const participants = new Map(
      ['a', 'b'].map((who) => [
        who,
        new JsonLinesChild(`curator ${who}`, 'java', ['-XX:TieredStopAtLevel=1', '-cp', [...CURATOR_CLASSPATH, classes].join(':'), 'CuratorLatch', ensemble.connectString, path, who, String(LATCH_SESSION_MS)]),
      ]),
    );
    const all = () => [...participants.values()].flatMap((p) => p.events).sort((x, y) => x.t - y.t);
    /** Participants leading now: their last leader event is not followed by notLeader, and they live. */
    const leading = () =>
      [...participants].filter(([, p]) => p.running && p.all('leader').length > p.all('notLeader').length).map(([who]) => who);
    const report = async () => `${[...participants.values()].map((p) => p.report()).join('\n')}\n${await ensemble.report()}`;

    await eventually(report, () => leading().length === 1);
    const sessions = await Promise.all(
      [...participants.values()].map(async (p) => BigInt((await p.waitFor('started', (e) => e.event === 'started')).session as string)),
    );
    const zkLeader = await ensemble.leader();
    const onLeader = await Promise.all(sessions.map(async (id) => (await ensemble.serverOf(id)) === zkLeader));
    await ensemble.kill(zkLeader);
    const killedAt = Date.now();
    // Curator gives up leadership while disconnected (SUSPENDED) and takes part again on reconnecting,
    // so the latch may change hands here; it settles on one leader once the moved participants reconnect.
    const moved = [...participants.values()].filter((_, k) => onLeader[k]);
    await eventually(report, () => leading().length === 1 && moved.every((p) => p.all('state').some((e) => e.state === 'RECONNECTED' && e.t > killedAt)));
    const settledAfterMs = Date.now() - killedAt;

    // With the ZooKeeper leader still down, the leading participant dies: its latch node goes when the
    // new ZooKeeper leader expires its session, and the other participant is told.
    const [first] = leading();
    const other = first === 'a' ? 'b' : 'a';
    await participants.get(first!)!.kill();
    const participantKilledAt = Date.now();
    await eventually(report, () => leading().length === 1 && leading()[0] === other, 60_000);
    const handover = participants.get(other)!.all('leader').at(-1)!.t - participantKilledAt;
    console.log(
      `${IMPL}: Curator LeaderLatch: ${moved.length} participant(s) moved off the killed ZooKeeper leader, one latch leader again after ${settledAfterMs} ms; ` +
        `handed over ${handover} ms after the leading participant was killed (session ${LATCH_SESSION_MS} ms)`,
    );
    await ensemble.start(zkLeader);

    await participants.get(other)!.stop();
    // The killed participant led until it died.
    const led = spans(all(), 'leader', 'notLeader', Date.now()).map((s) => (s.who === first ? { ...s, to: Math.min(s.to, participantKilledAt) } : s));
    expect(overlaps(led), 'two latch leaders at once').toEqual([]);
  }, 180_000);
});
