// ZooKeeper's four-letter words to a server on 127.0.0.1, for tests and benchmarks.
import { fourLetterWord as ask } from '../../src/zookeeper/client/four-letter-word.js';

/** Sends a four-letter word (in two writes when `split`) to 127.0.0.1:`port` and resolves with the answer. */
export function fourLetterWord(port: number, word: string, split = false, timeoutMs = 10_000): Promise<string> {
  return ask({ host: '127.0.0.1', port }, word, { split, timeoutMs });
}
