// The Kafka error code a client call ends with: NONE when it succeeds, the protocol error's code when
// the broker refused it; anything else (a lost connection, a bug) is rethrown.
import { ErrorCode, KafkaProtocolError } from '../../protocol/kafka/index.js';

export async function errorOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return ErrorCode.NONE;
  } catch (err) {
    if (err instanceof KafkaProtocolError) return err.code;
    throw err;
  }
}
