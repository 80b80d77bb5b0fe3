// A ZooKeeper-mode Kafka controller for one partition, small enough to read at a glance: it keeps the
// partition state znode (leader, leader epoch, ISR, version), watches broker sessions, elects a leader
// from the live ISR when the leader's session ends (never outside the ISR: unclean election is off),
// drops a dead follower from the ISR, and applies the leader's ISR changes (AlterPartition) with
// Kafka's checks. Every leader change bumps the leader epoch, as Kafka's ZooKeeper mode does.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { NO_LEADER, type IsrChangeRequest, type IsrChangeResult, type PartitionState } from '../../../src/consensus/partition-replication.js';

export class ControllerModel {
  state: PartitionState;
  readonly live = new Map<number, number>();
  /** Leaders elected from the ISR after the first, for the run summary. */
  elections = 0;

  constructor(
    readonly replicas: readonly number[],
    /** Called whenever the leader epoch moves: LeaderAndIsr goes to every live replica. */
    private readonly announce: () => void,
  ) {
    this.state = { leader: NO_LEADER, leaderEpoch: 0, isr: [...replicas], replicas, partitionEpoch: 0 };
  }

  /** A broker registered (a new session, possibly after a restart under the same id). */
  brokerUp(id: number, incarnation: number): void {
    const known = this.live.get(id);
    if (known === incarnation) return;
    // A bounce (a new session while the old one looked alive) is a failure followed by a start, as
    // Kafka's controller treats a changed broker epoch.
    if (known !== undefined) this.brokerDown(id);
    this.live.set(id, incarnation);
    if (this.state.leader === NO_LEADER && this.state.isr.includes(id)) this.elect();
    else this.announce();
  }

  /** The broker's session ended (expiry, crash or a cut to ZooKeeper). */
  brokerDown(id: number): void {
    if (!this.live.delete(id)) return;
    const s = this.state;
    if (s.leader === id) return this.elect();
    if (!s.isr.includes(id)) return;
    this.update(s.leader, s.isr.length === 1 ? s.isr : s.isr.filter((r) => r !== id));
  }

  private elect(): void {
    const s = this.state;
    const leader = this.replicas.find((r) => s.isr.includes(r) && this.live.has(r));
    if (leader === undefined) {
      // Offline: the ISR keeps its last member, so only a replica with everything may lead again.
      this.update(NO_LEADER, s.isr.length === 1 ? s.isr : s.isr.filter((r) => r !== s.leader));
      return;
    }
    this.elections++;
    this.update(leader, s.isr.filter((r) => this.live.has(r)));
  }

  private update(leader: number, isr: readonly number[]): void {
    const s = this.state;
    this.state = { leader, leaderEpoch: s.leaderEpoch + 1, isr: [...isr], replicas: this.replicas, partitionEpoch: s.partitionEpoch + 1 };
    this.announce();
  }

  alterPartition(req: IsrChangeRequest): IsrChangeResult {
    const s = this.state;
    if (req.leaderEpoch !== s.leaderEpoch || req.leader !== s.leader) return { ok: false, errorCode: ErrorCode.FENCED_LEADER_EPOCH };
    const same = req.isr.length === s.isr.length && req.isr.every((r) => s.isr.includes(r));
    if (same) return { ok: true, leaderEpoch: s.leaderEpoch, isr: s.isr, partitionEpoch: s.partitionEpoch };
    if (req.partitionEpoch !== s.partitionEpoch) return { ok: false, errorCode: ErrorCode.INVALID_UPDATE_VERSION };
    if (!req.isr.includes(s.leader) || req.isr.some((r) => !this.replicas.includes(r))) return { ok: false, errorCode: ErrorCode.INVALID_REQUEST };
    if (req.isr.some((r) => !s.isr.includes(r) && !this.live.has(r))) return { ok: false, errorCode: ErrorCode.INELIGIBLE_REPLICA };
    this.state = { ...s, isr: [...req.isr], partitionEpoch: s.partitionEpoch + 1 };
    return { ok: true, leaderEpoch: s.leaderEpoch, isr: this.state.isr, partitionEpoch: this.state.partitionEpoch };
  }
}
