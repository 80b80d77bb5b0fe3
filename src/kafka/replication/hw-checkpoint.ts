// The high-watermark checkpoint, Kafka's replication-offset-checkpoint in the log directory: a version
// line (0), a count line, then "topic partition offset" per replicated partition. Written atomically
// every replica.high.watermark.checkpoint.interval.ms and at shutdown; read once at start, so a
// restarted replica's high watermark begins where it was rather than at its log start (it is capped at
// the log end, and below it every record was on the ISR). A damaged file is ignored, as if absent: the
// high watermark then starts at the log start, which is safe, only slower to show records.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-file.js';

export const HW_CHECKPOINT_FILE = 'replication-offset-checkpoint';
const VERSION = 0;
/** Lines beyond this many entries are not read: the file holds one per partition a broker can host. */
const MAX_ENTRIES = 1 << 20;

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class HighWatermarks {
  private readonly offsets = new Map<string, number>();

  get(topic: string, partition: number): number | undefined {
    return this.offsets.get(key(topic, partition));
  }

  static parse(text: string): HighWatermarks | string {
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (lines[0] !== String(VERSION)) return `unknown version ${JSON.stringify(lines[0])}`;
    const count = Number(lines[1]);
    if (!Number.isSafeInteger(count) || count < 0 || count > MAX_ENTRIES || lines.length !== count + 2) return `expected ${lines[1]} entries, found ${lines.length - 2}`;
    const hw = new HighWatermarks();
    for (const line of lines.slice(2)) {
      const m = /^(\S+) (\d+) (\d+)$/.exec(line);
      const partition = Number(m?.[2]);
      const offset = Number(m?.[3]);
      if (!m || !Number.isSafeInteger(partition) || !Number.isSafeInteger(offset)) return `bad entry ${JSON.stringify(line)}`;
      hw.offsets.set(key(m[1]!, partition), offset);
    }
    return hw;
  }

  static format(entries: readonly { topic: string; partition: number; offset: number }[]): string {
    return [String(VERSION), String(entries.length), ...entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`), ''].join('\n');
  }
}

/** The checkpoint in `dir`: empty when there is none, the reason when it cannot be read. */
export async function readHighWatermarks(dir: string): Promise<HighWatermarks | string> {
  try {
    return HighWatermarks.parse(await readFile(join(dir, HW_CHECKPOINT_FILE), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new HighWatermarks();
    return (err as Error).message;
  }
}

export function writeHighWatermarks(dir: string, entries: readonly { topic: string; partition: number; offset: number }[]): Promise<void> {
  return writeFileAtomic(join(dir, HW_CHECKPOINT_FILE), HighWatermarks.format(entries));
}
