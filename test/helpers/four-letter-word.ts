// ZooKeeper's four-letter words on a raw socket, for tests and benchmarks.
import { connect } from 'node:net';

/**
 * Sends a four-letter word (in two writes when `split`) to 127.0.0.1:`port` and resolves with the whole
 * answer. Rejects if the connection fails, or if the answer has not ended within `timeoutMs` (a paused
 * server accepts the connection in its kernel and never answers).
 */
export function fourLetterWord(port: number, word: string, split = false, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(port, '127.0.0.1', () => {
      if (split) {
        s.write(word.slice(0, 2));
        setTimeout(() => s.write(word.slice(2)), 20);
      } else s.write(word);
    });
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error(`no answer to ${word} from port ${port} within ${timeoutMs} ms`));
    });
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks).toString()));
    s.on('error', reject);
  });
}
