// DescribeLogDirs (35), v0-4: each log directory of this broker with the size on disk of every
// partition log in it (what kafka-log-dirs.sh and `skein topic describe` show), and from v4 the total
// and usable bytes of the volume it is on (KIP-827). Topics null asks for every partition held here;
// otherwise partitions this broker holds no log of are left out, as Kafka leaves them out, and topics
// left with no partition are dropped. It needs DESCRIBE on the cluster: without it, v3+ answer
// CLUSTER_AUTHORIZATION_FAILED, older versions (which have no error field) no directories, as Kafka does.
import { ApiKey, ErrorCode, type DescribeLogDirsResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

type Result = NonNullable<DescribeLogDirsResponseInput['results']>[number];

export const describeLogDirsHandler = defineHandler({
  apiKey: ApiKey.DescribeLogDirs,
  minVersion: 0,
  maxVersion: 4,
  uses: ['logDirs', 'acls'],
  async handle(request, ctx, { logDirs, acls }) {
    if (!acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    }
    const which = request.topics === null ? 'all' : request.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    const dirs = await logDirs.describe(which);
    const results = dirs.map((d): Result => {
      const byTopic = new Map<string, { partitionIndex: number; partitionSize: number; offsetLag: number; isFutureKey: boolean }[]>();
      for (const p of [...d.partitions].sort((a, b) => a.partition - b.partition)) {
        const list = byTopic.get(p.topic) ?? [];
        list.push({ partitionIndex: p.partition, partitionSize: p.sizeBytes, offsetLag: p.offsetLag, isFutureKey: false });
        byTopic.set(p.topic, list);
      }
      const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
      return { errorCode: d.errorCode, logDir: d.path, topics, totalBytes: d.totalBytes, usableBytes: d.usableBytes };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
  },
});
