// ZooKeeper's four-letter words (srvr, mntr, ruok, ...) on a raw socket: the server writes its answer and
// closes. `skein cluster` asks them for each server's mode; tests and benchmarks probe servers with them.
import { connect } from 'node:net';
import type { ServerAddress } from './connect-string.js';

/** Longest answer read (mntr and cons are a few kilobytes; a wrong port might stream forever). */
export const FOUR_LETTER_ANSWER_MAX_BYTES = 1024 * 1024;

export interface FourLetterOptions {
  timeoutMs?: number;
  /** Sends the word in two writes (servers must reassemble it). */
  split?: boolean;
}

/**
 * Sends `word` to `server` and resolves with the whole answer. Rejects if the connection fails, or if the
 * answer has not ended within the timeout (a paused server accepts the connection in its kernel and never
 * answers).
 */
export function fourLetterWord(server: ServerAddress, word: string, options: FourLetterOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const s = connect(server.port, server.host, () => {
      if (options.split) {
        s.write(word.slice(0, 2));
        setTimeout(() => s.write(word.slice(2)), 20);
      } else s.write(word);
    });
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error(`no answer to ${word} from ${server.host}:${server.port} within ${timeoutMs} ms`));
    });
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes > FOUR_LETTER_ANSWER_MAX_BYTES) {
        s.destroy();
        reject(new Error(`the answer to ${word} from ${server.host}:${server.port} is over ${FOUR_LETTER_ANSWER_MAX_BYTES} bytes`));
      } else chunks.push(d);
    });
    s.on('end', () => resolve(Buffer.concat(chunks).toString()));
    s.on('error', reject);
  });
}
