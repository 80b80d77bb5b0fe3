// What DescribeLogDirs reports (Kafka's ReplicaManager.describeLogDirs): every directory of log.dirs by
// its absolute path, the size of the volume it is on and the space left there (KIP-827), and the
// partition logs in it with their size on disk. A directory whose volume cannot be read is reported
// with KAFKA_STORAGE_ERROR and no partitions, as Kafka reports an offline log dir.
import { statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type { LogManager, TopicPartition } from '../../log/log-manager.js';
import type { Logger } from '../../logger.js';
import type { LogDirDescription, LogDirs } from '../services.js';

/** The partitions of log dirs, described; 'all' is every partition log the broker holds. */
export class BrokerLogDirs implements LogDirs {
  constructor(
    private readonly logs: LogManager,
    private readonly log: Logger,
  ) {}

  async describe(which: readonly TopicPartition[] | 'all'): Promise<LogDirDescription[]> {
    const wanted = which === 'all' ? undefined : new Set(which.map((tp) => `${tp.topic}\0${tp.partition}`));
    const placed = this.logs.placed().filter((p) => wanted === undefined || wanted.has(`${p.tp.topic}\0${p.tp.partition}`));
    return Promise.all(
      this.logs.dirs.map(async (dir): Promise<LogDirDescription> => {
        const path = resolve(dir);
        let volume: { totalBytes: number; usableBytes: number };
        try {
          const s = await statfs(path);
          volume = { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
        } catch (err) {
          this.log.warn({ err, dir: path }, 'cannot describe a log directory');
          return { path, errorCode: ErrorCode.KAFKA_STORAGE_ERROR, totalBytes: -1, usableBytes: -1, partitions: [] };
        }
        const partitions = placed
          .filter((p) => resolve(p.root) === path)
          .map((p) => ({
            ...p.tp,
            sizeBytes: p.log.sizeBytes,
            // Kafka's getLogEndOffsetLag for a current (not future) log: how far its end is below its own
            // high watermark, never negative, so 0 on a healthy replica. Skein has no future logs
            // (AlterReplicaLogDirs is not served), whose lag is the one this field exists for.
            offsetLag: Math.max(p.log.highWatermark - p.log.logEndOffset, 0),
          }));
        return { path, errorCode: ErrorCode.NONE, ...volume, partitions };
      }),
    );
  }
}
