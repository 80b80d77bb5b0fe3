// kafkajs' own group requests, decoded by our codec, go straight into the coordinator, and its replies,
// encoded by our codec, are read back by kafkajs' response decoders. This pins down that the API
// handlers' mapping is thin: the decoded request values are the coordinator's inputs and its outputs are
// valid response values (only OffsetFetch before v8 and LeaveGroup before v3 need reshaping).
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { ApiKey, type ResponseInputOf } from '../../../protocol/kafka/apis.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { decodeRequestFrame, encodeResponseFrame, type KafkaRequest } from '../../../protocol/kafka/frames.js';
import type { CoordinatorOutput, Reply } from '../../../src/kafka/groups/api.js';
import { GroupCoordinator } from '../../../src/kafka/groups/coordinator.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<unknown>;
}
type KafkajsProtocol = (params: unknown) => {
  request: KafkajsRequest;
  response: { decode(payload: Buffer): Promise<Record<string, unknown>> };
};

const frameOf = require('kafkajs/src/protocol/request.js') as (args: {
  correlationId: number;
  clientId: string;
  request: KafkajsRequest;
}) => Promise<{ buffer: Buffer }>;
const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol.js') as {
  MemberMetadata: { encode(m: { version: number; topics: string[] }): Buffer };
  MemberAssignment: {
    encode(a: { version: number; assignment: Record<string, number[]> }): Buffer;
    decode(b: Buffer): { assignment: Record<string, number[]> } | null;
  };
};

function kafkajs(api: string, version: number): KafkajsProtocol {
  const { protocol } = require(`kafkajs/src/protocol/requests/${api}/index.js`) as {
    protocol(args: { version: number }): KafkajsProtocol;
  };
  return protocol({ version });
}

/** The response body bytes after a v0 response header (kafkajs speaks only non-flexible versions). */
function payloadOf<K extends ApiKey>(apiKey: K, version: number, body: ResponseInputOf<K>): Buffer {
  return Buffer.concat(encodeResponseFrame(apiKey, version, 1, body)).subarray(4);
}

type ResponseByApi = { [R in Reply<string> as R['api']]: R['response'] };

class Wire {
  readonly c = new GroupCoordinator<string>({ config: { groupInitialRebalanceDelayMs: 0 }, memberIdSuffix: () => 'uuid' }, 0);
  private n = 0;

  /**
   * kafkajs encodes a request; our codec decodes it; the coordinator answers it, its appends made
   * durable at once. Returns the reply, as kafkajs' response decoder reads it once encoded by `encode`.
   */
  async exchange<A extends keyof ResponseByApi>(
    api: string,
    version: number,
    params: unknown,
    expected: A,
    encode: (response: ResponseByApi[A]) => Buffer,
  ): Promise<{ reply: ResponseByApi[A]; decoded: Record<string, unknown> }> {
    const { request, response } = kafkajs(api, version)(params);
    const frame = (await frameOf({ correlationId: 1, clientId: 'kafkajs-client', request })).buffer.subarray(4);
    const token = `t${++this.n}`;
    const out = this.dispatch(token, decodeRequestFrame(frame));
    const replies = [...out.replies];
    for (const a of out.appends) replies.push(...this.c.appendCompleted(1_000, a.id).replies);
    const mine = replies.filter((r) => r.token === token);
    expect(mine).toHaveLength(1);
    const reply = mine[0]!;
    if (reply.api !== expected) throw new Error(`answered as ${reply.api}`);
    const typed = reply.response as ResponseByApi[A];
    return { reply: typed, decoded: await response.decode(encode(typed)) };
  }

  /** What a handler does: the decoded body is the coordinator's input. */
  private dispatch(token: string, req: KafkaRequest): CoordinatorOutput<string> {
    const now = 1_000;
    switch (req.apiKey) {
      case ApiKey.JoinGroup:
        return this.c.joinGroup(now, token, req.body, { clientId: req.clientId ?? '', clientHost: '/127.0.0.1', apiVersion: req.apiVersion });
      case ApiKey.SyncGroup:
        return this.c.syncGroup(now, token, req.body);
      case ApiKey.Heartbeat:
        return this.c.heartbeat(now, token, req.body);
      case ApiKey.OffsetCommit:
        return this.c.offsetCommit(now, token, req.body);
      case ApiKey.OffsetFetch:
        return this.c.offsetFetch(now, token, { groups: [{ groupId: req.body.groupId, topics: req.body.topics }], requireStable: req.body.requireStable });
      case ApiKey.LeaveGroup:
        return this.c.leaveGroup(now, token, req.body);
      case ApiKey.DescribeGroups:
        return this.c.describeGroups(now, token, req.body);
      case ApiKey.ListGroups:
        return this.c.listGroups(now, token, req.body);
      case ApiKey.DeleteGroups:
        return this.c.deleteGroups(now, token, req.body);
      default:
        throw new Error(`not a group API: ${req.apiKey}`);
    }
  }
}

describe('kafkajs group requests through our codec and the coordinator', () => {
  test('join (MEMBER_ID_REQUIRED round trip), sync, heartbeat, commit, fetch, describe, list, leave, delete', async () => {
    const w = new Wire();
    const join = {
      groupId: 'app',
      sessionTimeout: 30_000,
      rebalanceTimeout: 60_000,
      memberId: '',
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: MemberMetadata.encode({ version: 0, topics: ['orders'] }) }],
    };
    // Before v7 the protocol name is not nullable: the handler sends '' for none, as Kafka does.
    const joinPayload = (r: ResponseByApi['joinGroup']) => payloadOf(ApiKey.JoinGroup, 5, { ...r, protocolName: r.protocolName ?? '' });
    const first = await w.exchange('joinGroup', 5, join, 'joinGroup', joinPayload);
    expect(first.reply).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: 'kafkajs-client-uuid' });
    const memberId = first.reply.memberId;
    expect(first.decoded).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId });

    const second = await w.exchange('joinGroup', 5, { ...join, memberId }, 'joinGroup', joinPayload);
    expect(second.decoded).toMatchObject({
      errorCode: 0,
      generationId: 1,
      groupProtocol: 'RoundRobinAssigner',
      leaderId: memberId,
      memberId,
      members: [{ memberId, groupInstanceId: null, memberMetadata: join.groupProtocols[0]!.metadata }],
    });

    const assignment = MemberAssignment.encode({ version: 0, assignment: { orders: [0, 1, 2] } });
    const sync = await w.exchange(
      'syncGroup',
      3,
      { groupId: 'app', generationId: 1, memberId, groupAssignment: [{ memberId, memberAssignment: assignment }] },
      'syncGroup',
      (r) => payloadOf(ApiKey.SyncGroup, 3, r),
    );
    expect(MemberAssignment.decode(sync.decoded.memberAssignment as Buffer)).toMatchObject({ assignment: { orders: [0, 1, 2] } });

    const hb = await w.exchange('heartbeat', 3, { groupId: 'app', groupGenerationId: 1, memberId }, 'heartbeat', (r) =>
      payloadOf(ApiKey.Heartbeat, 3, r),
    );
    expect(hb.decoded).toMatchObject({ errorCode: 0 });

    const commit = await w.exchange(
      'offsetCommit',
      5,
      { groupId: 'app', groupGenerationId: 1, memberId, topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '42' }] }] },
      'offsetCommit',
      (r) => payloadOf(ApiKey.OffsetCommit, 5, r),
    );
    expect(commit.decoded).toMatchObject({ responses: [{ topic: 'orders', partitions: [{ partition: 0, errorCode: 0 }] }] });

    // Before v8 one group travels at the top level.
    const fetch = await w.exchange(
      'offsetFetch',
      4,
      { groupId: 'app', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 1 }] }] },
      'offsetFetch',
      (r) => payloadOf(ApiKey.OffsetFetch, 4, { topics: r.groups[0]!.topics, errorCode: r.groups[0]!.errorCode }),
    );
    expect(fetch.decoded).toMatchObject({
      errorCode: 0,
      responses: [
        {
          topic: 'orders',
          partitions: [
            { partition: 0, offset: '42', metadata: '', errorCode: 0 },
            { partition: 1, offset: '-1', metadata: '', errorCode: 0 },
          ],
        },
      ],
    });

    const described = await w.exchange('describeGroups', 2, { groupIds: ['app'] }, 'describeGroups', (r) =>
      payloadOf(ApiKey.DescribeGroups, 2, r),
    );
    expect(described.decoded).toMatchObject({
      groups: [
        {
          groupId: 'app',
          state: 'Stable',
          protocolType: 'consumer',
          protocol: 'RoundRobinAssigner',
          members: [{ memberId, clientId: 'kafkajs-client', clientHost: '/127.0.0.1', memberAssignment: assignment }],
        },
      ],
    });

    const listed = await w.exchange('listGroups', 2, {}, 'listGroups', (r) => payloadOf(ApiKey.ListGroups, 2, r));
    expect(listed.decoded).toMatchObject({ errorCode: 0, groups: [{ groupId: 'app', protocolType: 'consumer' }] });

    const left = await w.exchange('leaveGroup', 3, { groupId: 'app', memberId }, 'leaveGroup', (r) =>
      payloadOf(ApiKey.LeaveGroup, 3, r),
    );
    expect(left.decoded).toMatchObject({ errorCode: 0, members: [{ memberId, errorCode: 0 }] });

    const deleted = await w.exchange('deleteGroups', 1, ['app'], 'deleteGroups', (r) => payloadOf(ApiKey.DeleteGroups, 1, r));
    expect(deleted.decoded).toMatchObject({ results: [{ groupId: 'app', errorCode: 0 }] });
  });
});
