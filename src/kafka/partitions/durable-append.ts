// A broker-made batch (a group's records, a transaction marker) appended to a partition this broker
// leads and reported as acks=all reports it: once the ISR has it on a replicated partition, once an fsync
// covers it on a single replica. Kafka writes both with requiredAcks = -1.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type { Partition } from './partition.js';

/**
 * Appends `batch` as the leader, checked with `check` right before the append (in the same turn, so
 * nothing comes between); resolves with NONE once it is as safe as acks=all asks, or the error code.
 * Errors thrown by the log (synchronously or while waiting) are mapped by `codeOf`.
 */
export function appendAcksAll(
  partition: Partition,
  batch: Buffer,
  nowMs: number,
  timeoutMs: number,
  codeOf: (err: unknown) => number,
  check: () => number = () => ErrorCode.NONE,
): Promise<number> {
  try {
    const replicated = partition.replication?.isReplicated ? partition.replication : undefined;
    const refusal = replicated?.checkAppend(true) ?? ErrorCode.NONE;
    if (refusal !== ErrorCode.NONE) return Promise.resolve(refusal);
    const checked = check();
    if (checked !== ErrorCode.NONE) return Promise.resolve(checked);
    const result = partition.log.append(batch, nowMs, { leaderEpoch: partition.leaderEpoch });
    if (replicated) return replicated.appended(result, timeoutMs);
    return partition.log.waitDurable(result.lastOffset).then(() => ErrorCode.NONE, codeOf);
  } catch (err) {
    return Promise.resolve(codeOf(err));
  }
}
