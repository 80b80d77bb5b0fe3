// Writing a coordinator's records to its internal topic (__consumer_offsets for groups,
// __transaction_state for transactions): one uncompressed v2 batch per AppendRequest, appended to the
// partition and reported once an fsync covers it and, when replicated, the ISR has it (acks=all: a
// commit is acknowledged only when durable). Outcomes for one partition are reported in the order the
// appends were emitted, as the coordinators require.
import { CONSUMER_OFFSETS_TOPIC } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { LogError } from '../../log/errors.js';
import type { Logger } from '../../logger.js';
import { appendAcksAll } from '../partitions/durable-append.js';
import type { Partition } from '../partitions/partition.js';
import type { AppendRequest } from './api.js';

/** Kafka's offsets.commit.timeout.ms default: how long a group write waits for the ISR. */
const OFFSETS_COMMIT_TIMEOUT_MS = 5000;

export class ConsumerOffsetsWriter {
  /** The last outcome report queued per partition; later reports wait for it. */
  private readonly tails = new Map<number, Promise<void>>();
  private closed = false;

  constructor(
    /** The open __consumer_offsets partition by index. */
    private readonly partitionOf: (index: number) => Partition | undefined,
    /** Receives each append's outcome: 0 once durable, else the Kafka error code of the failure. */
    private readonly completed: (appendId: number, errorCode: number) => void,
    private readonly log: Logger,
    /** The topic written, for log lines. */
    private readonly topic: string = CONSUMER_OFFSETS_TOPIC,
  ) {}

  write(append: AppendRequest, nowMs: number): void {
    const outcome = this.appendDurably(append, nowMs);
    const previous = this.tails.get(append.partition);
    const tail = (previous ? previous.then(() => outcome) : outcome)
      .then((errorCode) => this.completed(append.id, errorCode))
      .catch((err: unknown) => this.log.error({ err, appendId: append.id, topic: this.topic }, 'reporting a coordinator write failed'));
    this.tails.set(append.partition, tail);
    void tail.then(() => {
      if (this.tails.get(append.partition) === tail) this.tails.delete(append.partition);
    });
  }

  /** Refuses further appends (as a closed log would) and settles once every outcome so far is reported. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }

  private appendDurably(append: AppendRequest, nowMs: number): Promise<number> {
    if (this.closed) return Promise.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const partition = this.partitionOf(append.partition);
    if (!partition) return Promise.resolve(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // Transactional offsets go in the producer's transactional batch (sequence 0, as Kafka writes them:
    // the coordinator's appends are not sequence-checked), so its marker on this partition settles them.
    const txn = append.producer && { producerId: append.producer.producerId, producerEpoch: append.producer.producerEpoch, baseSequence: 0, transactional: true };
    const batch = buildRecordBatch(append.records, { baseTimestamp: append.timestampMs, ...txn });
    const producer = append.producer;
    const checkEpoch = producer && (() => partition.log.producers.checkEpoch(producer.producerId, producer.producerEpoch)?.errorCode ?? ErrorCode.NONE);
    return appendAcksAll(partition, batch, nowMs, OFFSETS_COMMIT_TIMEOUT_MS, (err) => this.errorCodeOf(err, append), checkEpoch);
  }

  private errorCodeOf(err: unknown, append: AppendRequest): number {
    const context = { topic: this.topic, partition: append.partition, records: append.records.length };
    if (err instanceof LogError) {
      this.log.warn({ ...context, err: err.message }, 'could not write a coordinator record');
      return err.errorCode;
    }
    this.log.error({ ...context, err }, 'unexpected failure writing a coordinator record');
    return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
