// The controller's decisions under seeded chaos: brokers die and come back (sometimes faster than the
// controller notices), shut down in a controlled way, leaders shrink and grow ISRs behind the
// controller's back (so its conditional writes lose races), controllers fail over (sometimes between a
// reassignment's assignment write and its state writes), topics grow and go, partitions are reassigned
// and reassignments replaced or cancelled.
// ZooKeeper is modelled as the partition state znodes with versions; the controller core is the real one.
// Invariants, checked on every write that lands:
// - a leader is in the ISR it is written with, the ISR is never empty and never leaves the replicas;
// - without unclean election a new leader comes from the ISR it replaces (no acknowledged record lost);
// - leader epochs only grow, and one epoch of a partition never has two leaders;
// - no write lands from a controller older than the znode's controller epoch;
// - an assignment written to a topic znode holds the partition's leader and ISR; a finished reassignment
//   (RS = TRS) has its whole target in the ISR, so the reassignment itself never shrinks the ISR below it;
// - a replica told to delete its log is not assigned the partition any more.
// After the chaos every broker is up and followers catch up: every partition must have a live leader,
// every reassignment must have finished with the replicas last asked for, and the last UpdateMetadata
// every broker got must match ZooKeeper.
// `SIM_SEEDS=10000 npx vitest run test/sim/controller` runs a long campaign; `SIM_SEED=<n>` replays one.
import { expect, test } from 'vitest';
import {
  ControllerCore,
  NO_LEADER,
  type AssignmentWrite,
  type BrokerRequest,
  type LiveBroker,
  type StateRecord,
  type StateWrite,
  type TopicInfo,
} from '../../../src/kafka/controller/controller-core.js';
import { placeReplicas } from '../../../src/kafka/topics/replica-placement.js';
import { Rng } from '../harness/rng.js';
import { seedPlan } from '../harness/seeds.js';

const BROKERS = [1, 2, 3, 4, 5];
const STEPS = 300;
const plan = seedPlan(100, 'test/sim/controller');

class SimFailure extends Error {}
const sameSet = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
/** `n` distinct brokers in a random order. */
function distinct(rng: Rng, n: number): number[] {
  const left = [...BROKERS];
  return Array.from({ length: n }, () => left.splice(rng.int(0, left.length - 1), 1)[0]!);
}
const check = (ok: boolean, msg: string): void => {
  if (!ok) throw new SimFailure(msg);
};

class World {
  /** ZooKeeper's partition state znodes. */
  readonly zk = new Map<string, StateRecord>();
  readonly topics = new Map<string, TopicInfo>();
  /** Brokers whose session is alive, with their epoch (czxid). */
  readonly live = new Map<number, number>();
  /** What each broker last heard in UpdateMetadata, by partition. */
  readonly heard = new Map<number, Map<string, StateRecord>>();
  readonly leaderOfEpoch = new Map<string, number>();
  controllerEpoch = 0;
  core!: ControllerCore;
  nextEpoch = 100;
  writes = 0;
  elections = 0;
  lostRaces = 0;
  failovers = 0;
  reassignsDone = 0;
  /** The replicas each partition should end with: the last accepted target, or its origin when cancelled. */
  readonly wanted = new Map<string, number[]>();
  readonly log: string[] = [];

  constructor(
    readonly rng: Rng,
    readonly unclean: boolean,
  ) {
    for (const b of BROKERS) this.live.set(b, this.nextEpoch++);
  }

  brokers(): LiveBroker[] {
    return [...this.live].map(([id, epoch]) => ({ id, epoch, endpoints: [], rack: null }));
  }

  note(s: string): void {
    this.log.push(s);
    if (this.log.length > 40) this.log.shift();
  }

  failover(): void {
    this.controllerEpoch++;
    this.failovers++;
    this.core = new ControllerCore(this.rng.pick([...this.live.keys()]), this.controllerEpoch, { uncleanElection: () => this.unclean, imbalancePercentage: 10 });
    const states = [...this.zk].map(([k, s]) => {
      const [topic, p] = k.split('/') as [string, string];
      return [{ topic, partition: Number(p) }, s] as [{ topic: string; partition: number }, StateRecord];
    });
    this.run(this.core.start(this.brokers(), [...this.topics.values()], states));
  }

  /** Applies writes as ZooKeeper would (conditional on version), feeds lost ones back, delivers requests. */
  run(first: StateWrite[]): void {
    let writes = first;
    // As the shell's apply(): every round ends with written(), which announces what statesRead took in.
    for (let round = 0; round < 10; round++) {
      const landed = [];
      const lost = [];
      for (const w of writes) {
        const k = `${w.topic}/${w.partition}`;
        const cur = this.zk.get(k);
        // Sometimes the partition's leader changes the ISR just before the controller's write lands.
        if (cur && this.rng.chance(0.05)) this.leaderIsrChange(w.topic, w.partition);
        const now = this.zk.get(k);
        const ok = w.expectedVersion === 'create' ? now === undefined : now !== undefined && now.zkVersion === w.expectedVersion;
        if (!ok) {
          lost.push({ topic: w.topic, partition: w.partition, state: now });
          this.lostRaces++;
          continue;
        }
        this.land(w, now);
        landed.push({ topic: w.topic, partition: w.partition, zkVersion: now ? now.zkVersion + 1 : 0 });
      }
      const announced = this.core.written(landed);
      this.assign(announced.assignments);
      this.deliver(announced.requests);
      if (lost.length === 0 && announced.writes.length === 0) return;
      writes = [...announced.writes, ...this.core.statesRead(lost)];
    }
    throw new SimFailure('writes kept losing races for 10 rounds');
  }

  land(w: StateWrite, before: StateRecord | undefined): void {
    const k = `${w.topic}/${w.partition}`;
    const s = w.state;
    const replicas = this.topics.get(w.topic)!.replicas[w.partition]!;
    check(s.controllerEpoch === this.controllerEpoch, `${k}: write from controller epoch ${s.controllerEpoch}, current ${this.controllerEpoch}`);
    check(s.isr.length > 0, `${k}: empty ISR`);
    check(s.isr.every((r) => replicas.includes(r)), `${k}: ISR ${s.isr} outside replicas ${replicas}`);
    if (s.leader !== NO_LEADER) {
      check(s.isr.includes(s.leader), `${k}: leader ${s.leader} not in ISR ${s.isr}`);
      check(this.live.has(s.leader), `${k}: leader ${s.leader} is not alive`);
    }
    if (before) {
      check(s.leaderEpoch > before.leaderEpoch, `${k}: leader epoch ${s.leaderEpoch} after ${before.leaderEpoch}`);
      if (s.leader !== NO_LEADER && s.leader !== before.leader) {
        this.elections++;
        check(this.unclean || before.isr.includes(s.leader), `${k}: unclean election of ${s.leader}, ISR was ${before.isr}`);
      }
    }
    const epochKey = `${k}@${s.leaderEpoch}`;
    const seen = this.leaderOfEpoch.get(epochKey);
    check(seen === undefined || seen === s.leader, `${k}: epoch ${s.leaderEpoch} led by ${seen} and ${s.leader}`);
    this.leaderOfEpoch.set(epochKey, s.leader);
    this.zk.set(k, { ...s, zkVersion: before ? before.zkVersion + 1 : 0 });
    this.writes++;
    this.note(`write ${k} ${JSON.stringify(s)}`);
  }

  /** A leader changes its ISR in ZooKeeper (shrinks to live members, or adds a live replica back). */
  leaderIsrChange(topic: string, partition: number): void {
    const k = `${topic}/${partition}`;
    const s = this.zk.get(k);
    if (!s || s.leader === NO_LEADER || !this.live.has(s.leader)) return;
    const replicas = this.topics.get(topic)!.replicas[partition]!;
    const isr = this.rng.chance(0.5)
      ? s.isr.filter((r) => r === s.leader || this.rng.chance(0.5))
      : [...new Set([...s.isr, ...replicas.filter((r) => this.live.has(r) && this.rng.chance(0.5))])];
    // A leader's ISR change keeps the leader epoch (Kafka's ZooKeeper-mode ISR update).
    this.zk.set(k, { ...s, isr, zkVersion: s.zkVersion + 1 });
    this.note(`isr ${k} ${isr}`);
  }

  /** Assignment writes into the topic znodes, checked against the partition state they must agree with. */
  assign(list: readonly AssignmentWrite[]): void {
    for (const a of list) {
      const t = this.topics.get(a.topic);
      if (!t) continue;
      const k = `${a.topic}/${a.partition}`;
      const s = this.zk.get(k);
      if (s) {
        check(s.leader === NO_LEADER || a.replicas.includes(s.leader), `${k}: assigned ${a.replicas} without leader ${s.leader}`);
        // Original replicas leave only when a reassignment finishes: its whole target is in sync then.
        const adding = t.addingReplicas?.[a.partition] ?? [];
        const droppedOriginals = t.replicas[a.partition]!.filter((r) => !a.replicas.includes(r) && !adding.includes(r));
        if (droppedOriginals.length > 0) {
          check(a.adding.length === 0 && a.removing.length === 0, `${k}: original replicas ${droppedOriginals} dropped before the reassignment finished`);
          check(a.replicas.every((r) => s.isr.includes(r)) && s.isr.every((r) => a.replicas.includes(r)), `${k}: reassignment to ${a.replicas} finished with ISR ${s.isr}`);
          this.reassignsDone++;
        }
      }
      const lists = (from: Record<number, number[]> | undefined, l: number[]) => ({ ...from, [a.partition]: l });
      this.topics.set(a.topic, {
        ...t,
        replicas: t.replicas.map((r, i) => (i === a.partition ? a.replicas : r)),
        addingReplicas: lists(t.addingReplicas, a.adding),
        removingReplicas: lists(t.removingReplicas, a.removing),
      });
      this.note(`assign ${k} ${a.replicas} +${a.adding} -${a.removing}`);
    }
  }

  deliver(requests: BrokerRequest[]): void {
    for (const r of requests) {
      if (r.kind === 'stopReplica') {
        for (const p of r.partitions) {
          // -2 is a topic deletion's; any other deletion is a reassignment's removed replica.
          if (!p.deletePartition || p.leaderEpoch === -2) continue;
          const k = `${p.topic}/${p.partition}`;
          const replicas = this.topics.get(p.topic)?.replicas[p.partition] ?? [];
          check(!replicas.includes(r.broker), `${k}: broker ${r.broker} told to delete its replica while assigned ${replicas}`);
          this.note(`delete ${k} on ${r.broker}`);
        }
      }
      if (r.kind !== 'updateMetadata') continue;
      const heard = this.heard.get(r.broker) ?? new Map<string, StateRecord>();
      for (const p of r.partitions) heard.set(`${p.topic}/${p.partition}`, p.state);
      this.heard.set(r.broker, heard);
    }
  }
}

let lastLog: string[] = [];

function simulate(seed: number): World {
  const rng = new Rng(seed);
  const reassign = (w: World): void => {
    const t = rng.pick([...w.topics.values()]);
    const p = rng.int(0, t.replicas.length - 1);
    const k = `${t.name}/${p}`;
    const target = rng.chance(0.2) ? null : distinct(rng, rng.int(1, 3));
    const before = t.replicas[p]!;
    const { refusals, assignments, writes } = w.core.reassign([{ topic: t.name, partition: p, replicas: target }]);
    const refusal = refusals[0]!.refusal;
    w.note(`reassign ${k} ${before} -> ${target ?? 'cancel'}: ${refusal ? JSON.stringify(refusal) : 'ok'}`);
    if (refusal) return;
    const origin = before.filter((r) => !(t.addingReplicas?.[p] ?? []).includes(r));
    w.wanted.set(k, target ?? origin);
    w.assign(assignments);
    // The controller dies after its phase U write: the next one must carry the reassignment on. (A
    // reassignment that first moves the leader has no assignment written yet: dying then loses it.)
    if (assignments.length > 0 && rng.chance(0.1)) w.failover();
    else w.run(writes);
  };
  const catchUp = (w: World): void => {
    for (const [k, s] of w.zk) {
      const [topic, p] = k.split('/') as [string, string];
      const replicas = w.topics.get(topic)?.replicas[Number(p)] ?? [];
      if (s.leader === NO_LEADER || !w.live.has(s.leader)) continue;
      const isr = [...new Set([...s.isr, ...replicas.filter((r) => w.live.has(r))])];
      if (isr.length === s.isr.length) continue;
      w.zk.set(k, { ...s, isr, zkVersion: s.zkVersion + 1 });
      w.run(w.core.statesRead([{ topic, partition: Number(p), state: w.zk.get(k) }]));
    }
  };
  const w = new World(rng, rng.chance(0.2));
  lastLog = w.log;
  for (let t = 0; t < 4; t++) {
    const rf = rng.int(1, 3);
    w.topics.set(`t${t}`, { name: `t${t}`, topicId: seed.toString(16).padStart(31, '0') + t, replicas: placeReplicas(BROKERS.map((id) => ({ id, rack: null })), rng.int(1, 4), rf, 0, () => rng.next()) });
  }
  w.failover();
  for (let step = 0; step < STEPS; step++) {
    const dice = rng.next();
    const down = BROKERS.filter((b) => !w.live.has(b));
    if (dice < 0.15 && w.live.size > 1) {
      const b = rng.pick([...w.live.keys()]);
      w.live.delete(b);
      w.note(`down ${b}`);
      w.run(w.core.brokersChanged(w.brokers()));
    } else if (dice < 0.3 && down.length > 0) {
      const b = rng.pick(down);
      w.live.set(b, w.nextEpoch++);
      w.note(`up ${b}`);
      w.run(w.core.brokersChanged(w.brokers()));
    } else if (dice < 0.35) {
      // A restart the controller never saw as a gap: the same id with a new epoch.
      const b = rng.pick([...w.live.keys()]);
      w.live.set(b, w.nextEpoch++);
      w.note(`bounce ${b}`);
      w.run(w.core.brokersChanged(w.brokers()));
    } else if (dice < 0.45) {
      const b = rng.pick([...w.live.keys()]);
      const { writes, remaining } = w.core.controlledShutdown(b);
      w.note(`controlled shutdown ${b} (${remaining.length} remain)`);
      w.run(writes);
      // A broker that asked always stops, moved or not (Kafka's broker gives up after its retries).
      w.live.delete(b);
      w.run(w.core.brokersChanged(w.brokers()));
    } else if (dice < 0.65) {
      const keys = [...w.zk.keys()];
      if (keys.length === 0) continue;
      const [topic, p] = rng.pick(keys).split('/') as [string, string];
      w.leaderIsrChange(topic, Number(p));
      w.run(w.core.statesRead([{ topic, partition: Number(p), state: w.zk.get(`${topic}/${p}`) }]));
    } else if (dice < 0.72) {
      w.failover();
    } else if (dice < 0.8) {
      w.run(w.core.electPreferred('all', rng.chance(0.5)));
    } else if (dice < 0.85) {
      const t = rng.pick([...w.topics.values()]);
      const added = placeReplicas(BROKERS.map((id) => ({ id, rack: null })), 1, t.replicas[0]!.length, t.replicas.length, () => rng.next());
      w.topics.set(t.name, { ...t, replicas: [...t.replicas, ...added] });
      w.run(w.core.topicsChanged([...w.topics.values()]).writes);
    } else if (dice < 0.95) {
      reassign(w);
    } else if (dice < 0.98 && w.topics.size > 1) {
      const t = rng.pick([...w.topics.keys()]);
      w.deliver(w.core.deleteTopics([t]));
      w.topics.delete(t);
      for (const k of [...w.zk.keys()]) if (k.startsWith(`${t}/`)) w.zk.delete(k);
      for (const heard of w.heard.values()) for (const k of [...heard.keys()]) if (k.startsWith(`${t}/`)) heard.delete(k);
      for (const k of [...w.wanted.keys()]) if (k.startsWith(`${t}/`)) w.wanted.delete(k);
      w.note(`delete ${t}`);
    }
  }
  // Settle: every broker back; everything has a live leader and every broker heard the truth.
  for (const b of BROKERS) if (!w.live.has(b)) w.live.set(b, w.nextEpoch++);
  w.run(w.core.brokersChanged(w.brokers()));
  // Followers catch up; again while a leader's ISR change races the completing write (5% each time).
  for (let pass = 0; pass < 20 && (pass < 2 || w.core.reassignments('all').length > 0); pass++) catchUp(w);
  check(w.core.reassignments('all').length === 0, `reassignments left after settling: ${JSON.stringify(w.core.reassignments('all'))}`);
  for (const [k, replicas] of w.wanted) {
    const [topic, p] = k.split('/') as [string, string];
    const t = w.topics.get(topic)!;
    check(sameSet(t.replicas[Number(p)]!, replicas) && (t.addingReplicas?.[Number(p)] ?? []).length === 0 && (t.removingReplicas?.[Number(p)] ?? []).length === 0,
      `${k}: assigned ${t.replicas[Number(p)]} (+${t.addingReplicas?.[Number(p)]} -${t.removingReplicas?.[Number(p)]}), wanted ${replicas}`);
  }
  for (const t of w.topics.values()) {
    t.replicas.forEach((replicas, p) => {
      const s = w.zk.get(`${t.name}/${p}`);
      check(s !== undefined, `${t.name}/${p}: never started`);
      check(s!.leader !== NO_LEADER && w.live.has(s!.leader), `${t.name}/${p}: no live leader after settling (${JSON.stringify(s)})`);
      for (const b of BROKERS) {
        const heard = w.heard.get(b)?.get(`${t.name}/${p}`);
        check(heard !== undefined && heard.leader === s!.leader && heard.leaderEpoch === s!.leaderEpoch && heard.zkVersion === s!.zkVersion,
          `broker ${b} heard ${JSON.stringify(heard)} for ${t.name}/${p}, ZooKeeper has ${JSON.stringify(s)}`);
      }
    });
  }
  return w;
}

test(`${plan.seeds.length} seeds: controller decisions keep leaders in the ISR, epochs growing, and every broker informed`, { timeout: 60_000 + plan.seeds.length * 500 }, () => {
  let writes = 0;
  let elections = 0;
  let lostRaces = 0;
  let failovers = 0;
  let reassignsDone = 0;
  for (const seed of plan.seeds) {
    let w: World;
    try {
      w = simulate(seed);
    } catch (e) {
      if (!(e instanceof SimFailure)) throw e;
      throw new Error(`seed ${seed}: ${e.message}\nreplay: ${plan.replay(seed)}${process.env.SIM_TRACE ? `\nlast events:\n${lastLog.join('\n')}` : ''}`, { cause: e });
    }
    writes += w.writes;
    elections += w.elections;
    lostRaces += w.lostRaces;
    failovers += w.failovers;
    reassignsDone += w.reassignsDone;
  }
  // The runs exercised what they claim to.
  expect(writes).toBeGreaterThan(plan.seeds.length * 20);
  expect(elections).toBeGreaterThan(plan.seeds.length);
  expect(lostRaces).toBeGreaterThan(plan.seeds.length / 2);
  expect(failovers).toBeGreaterThan(plan.seeds.length * 2);
  expect(reassignsDone).toBeGreaterThan(plan.seeds.length * 2);
});
