// A seeded simulation of KIP-848 consumer groups: the pure ConsumerGroupCoordinator and clients that
// behave as librdkafka's does (one heartbeat in flight, revoke what the response no longer lists before
// taking anything new, report what they own, rejoin at epoch 0 when fenced, drop everything when their
// own session runs out). Chaos: members join, leave, crash; responses are delayed or lost; a topic
// grows; the coordinator fails over: a new one is built from the records the old one wrote (the log
// compacted, as Kafka's cleaner leaves it) and must hold the same group. With `classicShare`, some clients
// are classic members of the group (online migration) that behave as kafkajs does: eager, they drop
// everything they own before each JoinGroup, take what SyncGroup hands them, and rejoin when a heartbeat
// says REBALANCE_IN_PROGRESS. With `staticShare`, some clients have a group.instance.id, and a static
// client may restart as a new process of either protocol under the same instance id, which replaces its
// predecessor (a KIP-848 one waits, UNRELEASED_INSTANCE_ID, until a KIP-848 predecessor's session ends).
// The policy is `upgrade`, so the group stays a consumer group when only classic members remain (a
// downgrade hands it to the classic coordinator, tested elsewhere). Checked at
// every step: no partition held by two members, neither in the coordinator's view nor in the clients'
// (of both kinds). After chaos: every partition owned, every member stable.
import { decodeConsumerAssignment, encodeConsumerSubscription } from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type { ConsumerOffsetsRecord, HeartbeatResponse, JoinGroupResponse, SyncGroupResponse } from '../../../src/kafka/groups/api.js';
import { partitionKey } from '../../../src/kafka/groups/consumer/assignors.js';
import {
  ConsumerGroupCoordinator,
  DEFAULT_CONSUMER_GROUP_CONFIG,
  type ConsumerHeartbeatRequest,
  type ConsumerHeartbeatResponse,
} from '../../../src/kafka/groups/consumer/coordinator.js';
import { ConsumerOffsetsReplay } from '../../../src/kafka/groups/replay.js';
import { Rng } from '../harness/rng.js';

export const STEP_MS = 50;
export const HEARTBEAT_MS = 500;
export const SESSION_MS = 3_000;
const REQUEST_TIMEOUT_MS = 1_000;
const TOPIC_A = '0000000000000000000000000000000a';
const TOPIC_B = '0000000000000000000000000000000b';

export interface ConsumerSimOptions {
  seed: number;
  chaosMs: number;
  settleMs: number;
  maxClients: number;
  assignor: 'uniform' | 'range';
  /** The chance that a new client is a classic one (0: KIP-848 members only). */
  classicShare: number;
  /** The chance that a new client is static (has a group.instance.id); 0 when absent. */
  staticShare?: number;
}

/** What a classic client is doing: the request it has in flight or, when stable, heartbeating. */
type ClassicPhase = 'join' | 'sync' | 'stable';

type Response =
  | { api: 'consumer'; body: ConsumerHeartbeatResponse }
  | { api: 'join'; body: JoinGroupResponse }
  | { api: 'sync'; body: SyncGroupResponse }
  | { api: 'heartbeat'; body: HeartbeatResponse };

interface InFlight {
  arrivesAt: number;
  /** Lost on the way back: the client times out instead. */
  lost: boolean;
  sentAt: number;
  response: Response;
}

interface Client {
  name: string;
  memberId: string;
  epoch: number;
  owned: Set<string>;
  nextHeartbeatAt: number;
  inFlight: InFlight | undefined;
  /** When the client last sent a heartbeat that was answered: its own session runs from there. */
  lastAnsweredSendAt: number;
  leaving: boolean;
  /** Its group.instance.id: null for a dynamic member. */
  instanceId: string | null;
  /** Set for a classic client: its phase; its epoch is its generation. */
  classic: ClassicPhase | undefined;
}

export interface ConsumerSimResult {
  steps: number;
  joins: number;
  settledAtMs: number;
  liveClients: number;
  finalEpoch: number;
  failovers: number;
  /** Static clients restarted under their instance id. */
  restarts: number;
}

export class ConsumerGroupSim {
  private readonly rng: Rng;
  private readonly topics = new Map([
    ['a', { id: TOPIC_A, partitions: 6 }],
    ['b', { id: TOPIC_B, partitions: 3 }],
  ]);
  private coordinator: ConsumerGroupCoordinator;
  /** __consumer_offsets as the coordinators wrote it, by key hex (compacted as it goes). */
  private readonly log = new Map<string, ConsumerOffsetsRecord>();
  private failovers = 0;
  private restarts = 0;
  private readonly clients: Client[] = [];
  private now = 0;
  private joins = 0;
  private nextName = 0;

  constructor(private readonly options: ConsumerSimOptions) {
    this.rng = new Rng(options.seed);
    this.coordinator = this.newCoordinator();
  }

  private newCoordinator(): ConsumerGroupCoordinator {
    const config = {
      ...DEFAULT_CONSUMER_GROUP_CONFIG,
      sessionTimeoutMs: SESSION_MS,
      heartbeatIntervalMs: HEARTBEAT_MS,
      assignors: [this.options.assignor],
      migrationPolicy: 'upgrade' as const,
      classic: { ...DEFAULT_CONSUMER_GROUP_CONFIG.classic, minSessionTimeoutMs: SESSION_MS },
    };
    return new ConsumerGroupCoordinator(config, { topics: () => this.topics }, () => `m${this.nextName++}`);
  }

  /** The coordinator moves: the next one knows only what the log holds. */
  private failover(): void {
    const before = JSON.stringify(this.coordinator.describe('g'));
    const replay = new ConsumerOffsetsReplay();
    for (const record of this.log.values()) replay.apply(record);
    this.coordinator = this.newCoordinator();
    const malformed = this.coordinator.load(this.now, replay.consumerGroups());
    const after = JSON.stringify(this.coordinator.describe('g'));
    if (malformed > 0 || after !== before) throw new Error(`seed ${this.options.seed} at ${this.now} ms: reloaded group differs:\n${before}\n${after}`);
    this.failovers++;
  }

  run(): ConsumerSimResult {
    const { chaosMs, settleMs } = this.options;
    let steps = 0;
    this.addClient();
    for (; this.now < chaosMs; this.now += STEP_MS, steps++) {
      this.chaos();
      this.step(true);
    }
    if (this.clients.length === 0) this.addClient();
    let settledAtMs = -1;
    for (; this.now < chaosMs + settleMs; this.now += STEP_MS, steps++) {
      this.step(false);
      if (this.settled()) {
        settledAtMs = this.now - chaosMs;
        break;
      }
    }
    if (settledAtMs < 0) {
      const clients = this.clients.map((c) => ({ name: c.name, memberId: c.memberId, epoch: c.epoch, phase: c.classic, owned: c.owned.size }));
      throw new Error(`seed ${this.options.seed}: not settled ${settleMs} ms after chaos: ${JSON.stringify(this.coordinator.describe('g'))}\nclients: ${JSON.stringify(clients)}`);
    }
    return { steps, joins: this.joins, settledAtMs, liveClients: this.clients.length, finalEpoch: this.coordinator.describe('g')!.groupEpoch, failovers: this.failovers, restarts: this.restarts };
  }

  /** The first client speaks KIP-848: it makes the consumer group the classic ones join. */
  private addClient(): void {
    this.joins++;
    const classic = this.joins > 1 && this.rng.chance(this.options.classicShare);
    const staticShare = this.options.staticShare ?? 0;
    this.clients.push(this.newClient(classic, staticShare > 0 && this.rng.chance(staticShare) ? `i${this.joins}` : null));
  }

  /** A new client process: it owns nothing and joins at once. */
  private newClient(classic: boolean, instanceId: string | null): Client {
    return {
      name: `${classic ? 'classic' : 'c'}${this.joins}`,
      memberId: classic ? '' : `c${this.joins}`,
      epoch: 0,
      owned: new Set(),
      nextHeartbeatAt: this.now,
      inFlight: undefined,
      lastAnsweredSendAt: this.now,
      leaving: false,
      instanceId,
      classic: classic ? 'join' : undefined,
    };
  }

  /** A static client's process is gone and a new one, of either protocol, starts under its instance id. */
  private restartStatic(): void {
    const statics = this.clients.filter((c) => c.instanceId !== null);
    if (statics.length === 0) return;
    const old = statics[this.rng.below(statics.length)]!;
    this.joins++;
    this.clients[this.clients.indexOf(old)] = this.newClient(this.rng.chance(this.options.classicShare), old.instanceId);
    this.restarts++;
  }

  private chaos(): void {
    const r = this.rng;
    if (this.clients.length < this.options.maxClients && r.chance(0.01)) this.addClient();
    if (this.clients.length > 0 && r.chance(0.004)) {
      // A crash: the client is gone without a word; its session expires on the coordinator.
      this.clients.splice(r.below(this.clients.length), 1);
    }
    if (this.clients.length > 1 && r.chance(0.004)) this.clients[r.below(this.clients.length)]!.leaving = true;
    if ((this.options.staticShare ?? 0) > 0 && r.chance(0.004)) this.restartStatic();
    if (r.chance(0.001)) this.topics.get('b')!.partitions++;
    if (r.chance(0.002)) this.failover();
  }

  private step(chaos: boolean): void {
    this.coordinator.tick(this.now);
    for (const client of [...this.clients]) {
      // The client's own session: no answer for that long and it gives up what it owns.
      if (this.now - client.lastAnsweredSendAt >= SESSION_MS && client.owned.size > 0) {
        client.owned.clear();
        client.epoch = 0;
      }
      const f = client.inFlight;
      if (f && !f.lost && f.arrivesAt <= this.now) {
        client.inFlight = undefined;
        this.receive(client, f);
      } else if (f && f.lost && this.now - f.sentAt >= REQUEST_TIMEOUT_MS) {
        client.inFlight = undefined;
      }
      if (!client.inFlight && client.nextHeartbeatAt <= this.now) this.send(client, chaos);
    }
    // Responses in flight count as sent once durable: every change is in the log before the next step.
    for (const { records } of this.coordinator.drainRecords()) {
      for (const record of records) {
        const key = record.key.toString('hex');
        if (record.value === null) this.log.delete(key);
        else this.log.set(key, record);
      }
    }
    this.checkOwnership();
  }

  private send(client: Client, chaos: boolean): void {
    const response = client.classic ? this.sendClassic(client) : this.sendConsumer(client);
    if (client.leaving) {
      this.clients.splice(this.clients.indexOf(client), 1);
      return;
    }
    const delay = chaos ? this.rng.int(0, 400) : this.rng.int(0, 50);
    client.inFlight = { arrivesAt: this.now + delay, lost: chaos && this.rng.chance(0.05), sentAt: this.now, response: response! };
    client.nextHeartbeatAt = this.now + HEARTBEAT_MS;
  }

  private sendClassic(client: Client): Response | undefined {
    const groupId = 'g';
    if (client.leaving) {
      this.coordinator.classicLeave({ groupId, members: [{ memberId: client.memberId, groupInstanceId: client.instanceId }] });
      return undefined;
    }
    switch (client.classic!) {
      case 'join': {
        // Eager: whatever it owned is given up before it asks to join.
        client.owned.clear();
        const metadata = encodeConsumerSubscription({ version: 0, topics: ['a', 'b'] });
        const request = { groupId, sessionTimeoutMs: SESSION_MS, rebalanceTimeoutMs: 5_000, memberId: client.memberId, groupInstanceId: client.instanceId, protocolType: 'consumer', protocols: [{ name: 'range', metadata }] };
        return { api: 'join', body: this.coordinator.classicJoin(this.now, request, { clientId: client.name, clientHost: '/127.0.0.1', apiVersion: 5 }) };
      }
      case 'sync':
        return { api: 'sync', body: this.coordinator.classicSync(this.now, { groupId, generationId: client.epoch, memberId: client.memberId, groupInstanceId: client.instanceId, protocolType: 'consumer', protocolName: 'range', assignments: [] }) };
      case 'stable':
        return { api: 'heartbeat', body: this.coordinator.classicHeartbeat(this.now, { groupId, generationId: client.epoch, memberId: client.memberId, groupInstanceId: client.instanceId }) };
    }
  }

  private sendConsumer(client: Client): Response {
    const epoch = client.leaving ? -1 : client.epoch;
    const byTopic = new Map<string, number[]>();
    for (const key of client.owned) {
      const [topicId, p] = key.split(':') as [string, string];
      byTopic.set(topicId, [...(byTopic.get(topicId) ?? []), Number(p)]);
    }
    const request: ConsumerHeartbeatRequest = {
      groupId: 'g',
      memberId: client.memberId,
      memberEpoch: epoch,
      instanceId: client.instanceId,
      rackId: null,
      rebalanceTimeoutMs: 5_000,
      subscribedTopicNames: epoch === 0 ? ['a', 'b'] : null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions })),
      clientId: client.name,
      clientHost: '/127.0.0.1',
    };
    return { api: 'consumer', body: this.coordinator.heartbeat(this.now, request) };
  }

  private receive(client: Client, f: InFlight): void {
    const response = f.response;
    if (response.api !== 'consumer') return this.receiveClassic(client, f.sentAt, response);
    const r = response.body;
    if (r.errorCode === ErrorCode.FENCED_MEMBER_EPOCH || r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      client.owned.clear();
      client.epoch = 0;
      client.nextHeartbeatAt = this.now;
      return;
    }
    // A restarted static client whose KIP-848 predecessor still holds the instance id tries again later.
    if (r.errorCode === ErrorCode.UNRELEASED_INSTANCE_ID && client.epoch === 0) return;
    if (r.errorCode !== ErrorCode.NONE) throw new Error(`seed ${this.options.seed}: ${client.name} got error ${r.errorCode}: ${r.errorMessage}`);
    client.lastAnsweredSendAt = f.sentAt;
    client.epoch = r.memberEpoch;
    if (r.assignment) {
      const next = new Set(r.assignment.topicPartitions.flatMap((t) => t.partitions.map((p) => partitionKey(t.topicId, p))));
      const revoked = [...client.owned].some((k) => !next.has(k));
      client.owned = next;
      // A client that gave something up says so at once, as librdkafka does.
      if (revoked) client.nextHeartbeatAt = this.now;
    }
  }

  /** As kafkajs: a JoinGroup answered leads to SyncGroup, whose assignment it takes; any trouble means a rejoin. */
  private receiveClassic(client: Client, sentAt: number, response: Exclude<Response, { api: 'consumer' }>): void {
    const rejoin = (forgetId: boolean) => {
      client.owned.clear();
      if (forgetId) client.memberId = '';
      client.classic = 'join';
      client.nextHeartbeatAt = this.now;
    };
    const errorCode = response.body.errorCode;
    if (response.api === 'join' && errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      client.memberId = response.body.memberId;
      return rejoin(false);
    }
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) return rejoin(true);
    if (errorCode === ErrorCode.REBALANCE_IN_PROGRESS || errorCode === ErrorCode.ILLEGAL_GENERATION) return rejoin(false);
    if (errorCode !== ErrorCode.NONE) throw new Error(`seed ${this.options.seed}: ${client.name} got error ${errorCode} on ${response.api}`);
    client.lastAnsweredSendAt = sentAt;
    if (response.api === 'join') {
      client.memberId = response.body.memberId;
      client.epoch = response.body.generationId;
      client.classic = 'sync';
      client.nextHeartbeatAt = this.now;
    } else if (response.api === 'sync') {
      const names = new Map([...this.topics].map(([name, t]) => [name, t.id]));
      const { assignedPartitions } = decodeConsumerAssignment(response.body.assignment);
      client.owned = new Set(assignedPartitions.flatMap((t) => t.partitions.map((p) => partitionKey(names.get(t.topic)!, p))));
      client.classic = 'stable';
    }
  }

  private checkOwnership(): void {
    const view = this.coordinator.describe('g');
    const held = new Map<string, string>();
    for (const m of view?.members ?? []) {
      for (const k of [...m.assigned, ...m.revoking]) {
        const other = held.get(k);
        if (other !== undefined) throw new Error(`seed ${this.options.seed} at ${this.now} ms: ${k} held by ${other} and ${m.memberId} in the coordinator`);
        held.set(k, m.memberId);
      }
    }
    const owners = new Map<string, string>();
    for (const c of this.clients) {
      for (const k of c.owned) {
        const other = owners.get(k);
        if (other !== undefined) throw new Error(`seed ${this.options.seed} at ${this.now} ms: ${k} owned by clients ${other} and ${c.name}`);
        owners.set(k, c.name);
      }
    }
  }

  private settled(): boolean {
    const view = this.coordinator.describe('g');
    if (!view || view.state !== 'stable' || view.members.length !== this.clients.length) return false;
    const total = [...this.topics.values()].reduce((n, t) => n + t.partitions, 0);
    const owned = this.clients.reduce((n, c) => n + c.owned.size, 0);
    return owned === total && this.clients.every((c) => c.epoch === view.assignmentEpoch && (c.classic === undefined || c.classic === 'stable'));
  }
}
