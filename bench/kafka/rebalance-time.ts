#!/usr/bin/env node
// rebalance-time: how long a consumer group goes without consuming a member's partitions when that
// member goes away, measured with kafkajs members while a producer writes to every partition:
//   join   from starting the members to every partition being consumed (includes the initial delay);
//   leave  from a member's disconnect (commit, then LeaveGroup) to its partitions being consumed again;
//   crash  from kill -9 of a member (a child process) to its partitions being consumed again: the
//          coordinator notices only when the member's session times out.
// Without --bootstrap it starts a Skein broker in this process, with --initial-delay-ms as
// group.initial.rebalance.delay.ms.
//
//   node dist/bench/kafka/rebalance-time.js [--bootstrap HOST:PORT] [--members 3] [--partitions 6]
//     [--rounds 3] [--mode join|leave|crash|all] [--session-timeout-ms 30000]
//     [--heartbeat-interval-ms 3000] [--initial-delay-ms 3000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { flag, parseArgs, UsageError, type ParsedArgs } from '../bench-args.js';
import { brokerConfigFrom } from '../../src/kafka/broker-config.js';
import { startKafka } from '../../src/kafka/broker.js';
import { createLogger } from '../../src/logger.js';
import { startMember, type Member, type MemberEvents, type MemberSettings } from './rebalance-member.js';

const USAGE = `usage: rebalance-time [--bootstrap HOST:PORT] [--members N (3)] [--partitions N (6)] [--rounds N (3)]
  [--mode join|leave|crash|all (all)] [--session-timeout-ms MS (30000, kafkajs' default)]
  [--heartbeat-interval-ms MS (3000)] [--initial-delay-ms MS (3000, for the in-process broker)]`;
const OPTIONS = [
  'bootstrap',
  'members',
  'partitions',
  'rounds',
  'mode',
  'session-timeout-ms',
  'heartbeat-interval-ms',
  'initial-delay-ms',
  'child-member',
  'group',
  'topic',
];

/** How often the producer writes one record to every partition: the resolution of the measurements. */
const PRODUCE_EVERY_MS = 20;
/** How long a round may take to settle or to hand over before it is reported as a failure. */
const ROUND_TIMEOUT_MS = 180_000;

type Mode = 'join' | 'leave' | 'crash';

function intOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = flag(args, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a non-negative integer, got "${raw}"\n${USAGE}`);
  return Number(raw);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `condition`; `failure` says why waiting is pointless (a member died), if it is. */
async function until(what: string, condition: () => boolean, failure: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + ROUND_TIMEOUT_MS;
  while (!condition()) {
    const failed = failure();
    if (failed !== undefined) throw new Error(`gave up waiting for ${what}: ${failed}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** The crashing member runs in a child process; it reports its assignments and records as JSON lines. */
async function runChildMember(settings: MemberSettings): Promise<void> {
  const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  await startMember('child', settings, {
    consumed: (partition, atMs) => say({ consumed: partition, atMs }),
    assigned: (partitions) => say({ assigned: partitions }),
  });
}

/** What the members of one round did: each partition's consumptions (by whom, when) and assignments. */
class RoundLog {
  readonly consumedBy: Array<{ member: string; partition: number; atMs: number }> = [];
  readonly assignments = new Map<string, number[]>();
  lastAssignmentMs = 0;

  forMember(name: string): MemberEvents {
    return {
      consumed: (partition, atMs) => this.consumedBy.push({ member: name, partition, atMs }),
      assigned: (partitions) => {
        this.assignments.set(name, partitions);
        this.lastAssignmentMs = Date.now();
      },
    };
  }

  /** Every member has its assignment, each partition assigned once and consumed since the last one. */
  settled(members: number, partitions: number): boolean {
    if (this.assignments.size !== members) return false;
    const owned = [...this.assignments.values()].flat().sort((a, b) => a - b);
    if (owned.length !== partitions || owned.some((p, i) => p !== i)) return false;
    const since = this.lastAssignmentMs;
    const fresh = new Set(this.consumedBy.filter((c) => c.atMs > since).map((c) => c.partition));
    return fresh.size === partitions;
  }

  /** Whether members other than `gone` consumed each of `partitions` after `fromMs`. */
  resumed(gone: string, partitions: readonly number[], fromMs: number): boolean {
    const taken = new Set(this.consumedBy.filter((c) => c.member !== gone && c.atMs > fromMs).map((c) => c.partition));
    return partitions.every((p) => taken.has(p));
  }
}

interface Setup {
  settings: Omit<MemberSettings, 'groupId'>;
  members: number;
  partitions: number;
}

async function runRound(mode: Mode, round: number, setup: Setup): Promise<number> {
  const settings = { ...setup.settings, groupId: `rebalance-${mode}-${round}-${Date.now()}` };
  const log = new RoundLog();
  const started = Date.now();
  const inProcess = mode === 'crash' ? setup.members - 1 : setup.members;
  const members: Member[] = await Promise.all(
    Array.from({ length: inProcess }, (_, i) => startMember(`m${i}`, settings, log.forMember(`m${i}`))),
  );
  const child = mode === 'crash' ? startChild(settings, log.forMember('child')) : undefined;
  let childExit: string | undefined;
  child?.once('exit', (code, signal) => (childExit = `the child member exited (${signal ?? code})`));
  let leaving: Promise<void> | undefined;
  try {
    await until('the group to settle', () => log.settled(setup.members, setup.partitions), () => childExit);
    if (mode === 'join') return Date.now() - started;
    const gone = mode === 'crash' ? 'child' : 'm0';
    const partitions = log.assignments.get(gone) ?? [];
    if (partitions.length === 0) throw new Error(`${gone} owns no partition; use at least as many partitions as members`);
    const left = Date.now();
    if (child) child.kill('SIGKILL');
    else leaving = members.shift()!.leave();
    await until(`${gone}'s partitions to be consumed again`, () => log.resumed(gone, partitions, left));
    return Date.now() - left;
  } finally {
    child?.kill('SIGKILL');
    await Promise.all([leaving, ...members.map((m) => m.leave())]);
  }
}

function startChild(settings: MemberSettings, events: MemberEvents) {
  const args = ['--child-member', 'yes', '--bootstrap', settings.bootstrap, '--group', settings.groupId, '--topic', settings.topic];
  args.push('--session-timeout-ms', String(settings.sessionTimeoutMs), '--heartbeat-interval-ms', String(settings.heartbeatIntervalMs));
  // Its stdin is a pipe it watches: if this process dies, the child goes too.
  const child = spawn(process.execPath, [process.argv[1]!, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as { consumed?: number; atMs?: number; assigned?: number[] };
    if (message.assigned) events.assigned(message.assigned);
    else if (message.consumed !== undefined) events.consumed(message.consumed, message.atMs!);
  });
  return child;
}

/** Writes one record to every partition every PRODUCE_EVERY_MS until stopped. */
function produceSteadily(producer: Producer, topic: string, partitions: number): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      const messages = Array.from({ length: partitions }, (_, partition) => ({ partition, value: String(n) }));
      await producer.send({ topic, messages, acks: 1 });
      await sleep(PRODUCE_EVERY_MS);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return `min ${sorted[0]} ms, median ${median} ms, max ${sorted[sorted.length - 1]} ms (${samples.join(', ')})`;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const sessionTimeoutMs = intOption(args, 'session-timeout-ms', 30_000);
  const heartbeatIntervalMs = intOption(args, 'heartbeat-interval-ms', 3_000);
  if (flag(args, 'child-member') !== undefined) {
    const [bootstrap, groupId, topic] = [flag(args, 'bootstrap'), flag(args, 'group'), flag(args, 'topic')];
    if (!bootstrap || !groupId || !topic) throw new UsageError('a child member needs --bootstrap, --group and --topic');
    await runChildMember({ bootstrap, groupId, topic, sessionTimeoutMs, heartbeatIntervalMs });
    return new Promise((resolve) => process.stdin.on('end', () => resolve(0)).resume());
  }
  const members = intOption(args, 'members', 3);
  const partitions = intOption(args, 'partitions', 6);
  const rounds = intOption(args, 'rounds', 3);
  const initialDelayMs = intOption(args, 'initial-delay-ms', 3_000);
  const modeArg = flag(args, 'mode') ?? 'all';
  const modes: Mode[] = modeArg === 'all' ? ['join', 'leave', 'crash'] : [modeArg as Mode];
  if (!modes.every((m) => ['join', 'leave', 'crash'].includes(m))) throw new UsageError(`unknown --mode ${modeArg}\n${USAGE}`);
  if (members < 2 || partitions < members) throw new UsageError(`need at least 2 members and as many partitions as members\n${USAGE}`);

  let bootstrap = flag(args, 'bootstrap');
  let stopBroker = async () => {};
  if (bootstrap === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'skein-rebalance-'));
    const entries = Object.entries({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'group.initial.rebalance.delay.ms': String(initialDelayMs) });
    const running = await startKafka(brokerConfigFrom(entries.map(([key, value]) => ({ key, value, line: 0 }))), createLogger('warn'));
    bootstrap = `127.0.0.1:${running.port}`;
    stopBroker = async () => {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'rebalance-time', logLevel: logLevel.NOTHING });
  const topic = `rebalance-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const stopProducing = produceSteadily(producer, topic, partitions);

  const where = flag(args, 'bootstrap') === undefined ? `in-process Skein, group.initial.rebalance.delay.ms ${initialDelayMs}` : bootstrap;
  process.stdout.write(
    `rebalance-time: ${members} kafkajs members, ${partitions} partitions, session.timeout.ms ${sessionTimeoutMs}, ` +
      `heartbeat.interval.ms ${heartbeatIntervalMs}, ${where}\n`,
  );
  const setup: Setup = { settings: { bootstrap, topic, sessionTimeoutMs, heartbeatIntervalMs }, members, partitions };
  try {
    for (const mode of modes) {
      const samples: number[] = [];
      for (let round = 0; round < rounds; round++) samples.push(await runRound(mode, round, setup));
      process.stdout.write(`${mode.padEnd(5)}  ${summary(samples)}\n`);
    }
  } finally {
    await stopProducing();
    await producer.disconnect();
    await stopBroker();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof UsageError ? err.message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(2);
  },
);
