// One kafkajs group member for the rebalance benchmark: it consumes a topic in a group, reports every
// record it consumes (partition and when), and its partitions after every rebalance.
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface MemberSettings {
  bootstrap: string;
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

export interface MemberEvents {
  /** A record of `partition` was handed to the application at `atMs`. */
  consumed(partition: number, atMs: number): void;
  /** The member's partitions after a rebalance. */
  assigned(partitions: number[]): void;
}

export interface Member {
  readonly name: string;
  /** The partitions of the last assignment it received. */
  partitions(): number[];
  /** Leaves the group as a client shutting down does (LeaveGroup after its last commit). */
  leave(): Promise<void>;
}

export async function startMember(name: string, settings: MemberSettings, events: MemberEvents): Promise<Member> {
  const kafka = new Kafka({ brokers: [settings.bootstrap], clientId: `rebalance-${name}`, logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({
    groupId: settings.groupId,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: settings.heartbeatIntervalMs,
    // A short long poll, so a leaving member does not wait out a 5 s fetch before it says goodbye.
    maxWaitTimeInMs: 100,
  });
  let partitions: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    partitions = [...(payload.memberAssignment[settings.topic] ?? [])].sort((a, b) => a - b);
    events.assigned(partitions);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: settings.topic, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ partition }) => {
      events.consumed(partition, Date.now());
    },
  });
  return { name, partitions: () => partitions, leave: () => consumer.disconnect() };
}
