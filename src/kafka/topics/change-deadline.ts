// CreateTopics, DeleteTopics and CreatePartitions carry a timeoutMs. Kafka answers REQUEST_TIMED_OUT for
// a change that has not finished within it, at once when it is 0 or less, and the change still completes.
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import type { Logger } from '../../logger.js';

export interface ChangeOutcome {
  errorCode: number;
  errorMessage: string | null;
}

const DONE: ChangeOutcome = { errorCode: ErrorCode.NONE, errorMessage: null };
const TIMED_OUT: ChangeOutcome = { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null };

/** A change's failure as its error code; anything but a KafkaProtocolError is logged as the server's fault. */
export function failureOutcome(err: unknown, subject: string, log: Logger): ChangeOutcome {
  if (err instanceof KafkaProtocolError) return { errorCode: err.code, errorMessage: err.message };
  log.error({ subject, err }, 'change failed');
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
}

/** Each change's outcome by topic name, waiting at most `timeoutMs` for all of them together. */
export async function awaitChanges(
  changes: ReadonlyMap<string, Promise<void>>,
  timeoutMs: number,
  log: Logger,
): Promise<Map<string, ChangeOutcome>> {
  const outcomes = new Map<string, ChangeOutcome>();
  if (timeoutMs <= 0) {
    for (const [topic, work] of changes) {
      work.catch((err: unknown) => failureOutcome(err, topic, log));
      outcomes.set(topic, TIMED_OUT);
    }
    return outcomes;
  }
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<ChangeOutcome>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  await Promise.all(
    [...changes].map(async ([topic, work]) => {
      // A change that fails after the deadline is still logged by failureOutcome.
      outcomes.set(topic, await Promise.race([work.then(() => DONE, (err: unknown) => failureOutcome(err, topic, log)), expired]));
    }),
  );
  clearTimeout(timer);
  return outcomes;
}
