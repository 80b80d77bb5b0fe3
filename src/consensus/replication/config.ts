// Every setting and limit of the partition-replication core in one place, validated before a core is
// built. Times are in ticks of the shell's clock (the broker ticks once per millisecond).

export interface ReplicationConfig {
  readonly brokerId: number;
  /** replica.lag.time.max.ms: how long a follower may go without catching up to the leader's log end. */
  readonly replicaLagTimeMaxTicks: number;
  /** min.insync.replicas (capped at the replication factor, as Kafka does). */
  readonly minInsyncReplicas: number;
  /** acks=all produces a leader holds waiting for the high watermark before refusing more. */
  readonly pendingProducesMax: number;
}

export const REPLICATION_DEFAULTS = {
  replicaLagTimeMaxTicks: 30_000,
  minInsyncReplicas: 1,
  pendingProducesMax: 10_000,
} as const;

export class ReplicationConfigError extends Error {
  override readonly name = 'ReplicationConfigError';
}

type Input = Pick<ReplicationConfig, 'brokerId'> & Partial<Omit<ReplicationConfig, 'brokerId'>>;

export function replicationConfig(input: Input): ReplicationConfig {
  const c: ReplicationConfig = { ...REPLICATION_DEFAULTS, ...input };
  const int = (name: keyof ReplicationConfig, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new ReplicationConfigError(`${name} must be an integer from ${min} to ${max}, not ${v}`);
  };
  int('brokerId', c.brokerId, 0, 0x7fff_ffff);
  int('replicaLagTimeMaxTicks', c.replicaLagTimeMaxTicks, 1, 0x7fff_ffff);
  int('minInsyncReplicas', c.minInsyncReplicas, 1, 0x7fff_ffff);
  int('pendingProducesMax', c.pendingProducesMax, 1, 1 << 24);
  return c;
}
