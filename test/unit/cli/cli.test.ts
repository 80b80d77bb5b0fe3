// The skein command line without a server: every command parses, has --help with examples, and fails
// in one line; and the pure pieces the commands print with (tables, record templates, key placement).
import { CommanderError, type Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { ErrorCode as ZkErrorCode, KeeperError } from '../../../protocol/zookeeper/codes.js';
import { parsePort, parseKeyValue, parsePartitionList, UsageError } from '../../../src/cli/args.js';
import { bootstrapOf, zooKeeperOf } from '../../../src/cli/client-options.js';
import { parseSrvr } from '../../../src/cli/commands/cluster.js';
import { parseStartOffset, parseTime, renderRecord } from '../../../src/cli/commands/consume.js';
import { boundedLines, lineRecord } from '../../../src/cli/commands/produce.js';
import { progressLine } from '../../../src/cli/commands/progress.js';
import { statRecord } from '../../../src/cli/commands/zk.js';
import { CommandFailure, failureOf } from '../../../src/cli/failure.js';
import { renderJson, renderTable } from '../../../src/cli/output.js';
import { buildProgram, oneLineCommanderErrors, skeinVersion } from '../../../src/cli/program.js';
import { rangeAssign } from '../../../src/kafka/client/group-member.js';
import { murmur2, partitionForKey } from '../../../src/kafka/client/partitioner.js';
import type { BatchRecord } from '../../../protocol/kafka/records/batch-records.js';

/** A program whose output is captured and whose actions never run (parsing only). */
function parsingProgram(): { program: Command; out: () => string; err: () => string } {
  const program = buildProgram();
  let out = '';
  let err = '';
  const quiet = (c: Command): void => {
    c.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    for (const sub of c.commands) quiet(sub);
  };
  quiet(program);
  return { program, out: () => out, err: () => err };
}

function leaves(c: Command): Command[] {
  return c.commands.length === 0 ? [c] : c.commands.flatMap(leaves);
}

function path(c: Command): string[] {
  const names: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) names.unshift(x.name());
  return names;
}

describe('the command tree', () => {
  test('has every noun and verb the CLI promises', () => {
    const names = leaves(buildProgram()).map((c) => path(c).join(' '));
    for (const expected of [
      'start', 'kafka', 'zookeeper', 'dev-cluster',
      'topic create', 'topic list', 'topic describe', 'topic delete', 'topic alter-config', 'topic add-partitions', 'topic trim-prefix',
      'produce', 'consume',
      'group list', 'group describe', 'group seek', 'group delete',
      'cluster info', 'cluster health',
      'acl create', 'acl list', 'acl delete', 'user create', 'user list', 'user delete',
      'zk ls', 'zk get', 'zk set', 'zk create', 'zk delete', 'zk stat', 'zk acl', 'zk watch',
    ]) expect(names).toContain(expected);
  });

  test('every command answers --help with its options and examples, and exits 0', async () => {
    for (const leaf of leaves(buildProgram()).filter((c) => c.name() !== 'help')) {
      const { program, out } = parsingProgram();
      const args = [...path(leaf), '--help'];
      const err = await program.parseAsync(args, { from: 'user' }).catch((e: unknown) => e);
      expect(err, args.join(' ')).toBeInstanceOf(CommanderError);
      expect((err as CommanderError).exitCode).toBe(0);
      expect(out(), args.join(' ')).toMatch(/^Usage: skein /);
      expect(out(), args.join(' ')).toMatch(/Examples:\n {2}\$ .*skein /);
    }
  });

  test('--version prints the package version', async () => {
    const { program, out } = parsingProgram();
    const err = await program.parseAsync(['--version'], { from: 'user' }).catch((e: unknown) => e);
    expect((err as CommanderError).code).toBe('commander.version');
    expect(out().trim()).toBe(skeinVersion());
    expect(skeinVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('bad flags are one line naming the command, before anything runs', async () => {
    for (const [args, message] of [
      [['topic', 'create', 'x', '--bogus'], /^skein topic create: unknown option '--bogus' \(see skein topic create --help\)\n$/],
      [['topic', 'create', 'x', '--partitions', 'many'], /^skein topic create: option '-p, --partitions <n>' argument 'many' is invalid\. must be a whole number/],
      [['start', '--kafka-port', '70000'], /^skein start: option '--kafka-port <port>' argument '70000' is invalid\. must be a port number/],
      [['produce', 't', '--acks', '2'], /^skein produce: option '--acks <acks>' argument '2' is invalid/],
      [['kafka'], /^skein kafka: required option '--config <server.properties>' not specified/],
      [['zk', 'get'], /^skein zk get: missing required argument 'path'/],
    ] as const) {
      const { program, err } = parsingProgram();
      oneLineCommanderErrors(program);
      const thrown = await program.parseAsync([...args], { from: 'user' }).catch((e: unknown) => e);
      expect(thrown, args.join(' ')).toBeInstanceOf(CommanderError);
      expect(err(), args.join(' ')).toMatch(message);
      expect(err().trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});

describe('connection options', () => {
  test('--bootstrap-server and --server, their env variables, and the aliases --brokers and --zookeeper', () => {
    const parsed = (args: string[], env: Record<string, string> = {}) => {
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        const program = buildProgram();
        let opts: Record<string, unknown> = {};
        const leaf = program.commands.find((c) => c.name() === args[0])!.commands.find((c) => c.name() === args[1])!;
        leaf.action((...a: unknown[]) => {
          opts = (a[a.length - 2] as Record<string, unknown>) ?? {};
        });
        program.parse(args, { from: 'user' });
        return opts;
      } finally {
        process.env = saved;
      }
    };
    expect(bootstrapOf(parsed(['topic', 'list']) as never)).toEqual(['127.0.0.1:9092']);
    expect(bootstrapOf(parsed(['topic', 'list'], { SKEIN_BROKERS: 'a:1,b:2' }) as never)).toEqual(['a:1', 'b:2']);
    expect(bootstrapOf(parsed(['topic', 'list', '-b', 'c:3'], { SKEIN_BROKERS: 'a:1' }) as never)).toEqual(['c:3']);
    expect(bootstrapOf(parsed(['topic', 'list', '--brokers', 'd:4']) as never)).toEqual(['d:4']);
    expect(zooKeeperOf(parsed(['zk', 'stat', '/x']) as never)).toBe('127.0.0.1:2181');
    expect(zooKeeperOf(parsed(['zk', 'stat', '/x'], { SKEIN_ZOOKEEPER: 'z:1/chroot' }) as never)).toBe('z:1/chroot');
    expect(zooKeeperOf(parsed(['zk', 'stat', '/x', '--zookeeper', 'y:2']) as never)).toBe('y:2');
  });
});

describe('argument parsers', () => {
  test('ports, key=value, partition lists', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    expect(() => parsePort('65536')).toThrow(/port number/);
    expect(() => parsePort('-1')).toThrow(/port number/);
    expect(parseKeyValue('retention.ms=a=b')).toEqual({ name: 'retention.ms', value: 'a=b' });
    expect(() => parseKeyValue('=x')).toThrow(/key=value/);
    expect(parsePartitionList('0, 2,5')).toEqual([0, 2, 5]);
    expect(() => parsePartitionList('0,x')).toThrow(/partition numbers/);
  });

  test('consume start positions and times', () => {
    expect(parseStartOffset('beginning')).toEqual({ kind: 'beginning' });
    expect(parseStartOffset('end')).toEqual({ kind: 'end' });
    expect(parseStartOffset('42')).toEqual({ kind: 'offset', offset: 42 });
    expect(parseStartOffset('-3')).toEqual({ kind: 'back', count: 3 });
    expect(() => parseStartOffset('soon')).toThrow(/expected beginning, end/);
    expect(parseTime('1700000000000')).toBe(1_700_000_000_000);
    expect(parseTime('2026-12-03T10:00:00Z')).toBe(Date.UTC(2026, 11, 3, 10));
    expect(() => parseTime('yesterday')).toThrow(/expected a date/);
  });
});

describe('output', () => {
  test('tables pad columns, right-align numbers and print - for missing cells', () => {
    expect(renderTable(['name', 'partitions', 'leader'], [['orders', 6, null], ['a', 12, 3]])).toBe(
      ['NAME    PARTITIONS  LEADER', 'orders           6       -', 'a               12       3', ''].join('\n'),
    );
    expect(renderTable(['group', 'state'], [])).toBe('GROUP  STATE\n');
  });

  test('JSON keeps 64-bit values exact', () => {
    expect(renderJson({ zxid: 2n ** 40n, session: 2n ** 63n - 1n })).toBe('{"zxid":1099511627776,"session":"9223372036854775807"}\n');
  });

  test('record templates as kcat writes them', () => {
    const r: BatchRecord = {
      offset: 7,
      timestamp: Date.UTC(2026, 0, 2),
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      headers: [{ key: 'h', value: Buffer.from('1') }, { key: 'n', value: null }],
      attributes: 0,
      timestampDelta: 0,
      offsetDelta: 0,
    };
    expect(renderRecord('%t/%p@%o %k=%v [%h] %K %S %T %d 100%%\\n', 'orders', 2, r)).toBe(
      `orders/2@7 k=v [h=1,n=] 1 1 ${Date.UTC(2026, 0, 2)} 2026-01-02T00:00:00.000Z 100%\n`,
    );
    expect(renderRecord('%k|%v\\t\\\\', 't', 0, { ...r, key: null, value: null })).toBe('|\t\\');
  });

  test('input lines: \\n or \\r\\n, split across chunks, a last line without newline; a line over the limit is refused', async () => {
    async function* chunks(...parts: string[]) {
      for (const p of parts) yield Buffer.from(p);
    }
    const all = async (it: AsyncGenerator<string>) => {
      const out: string[] = [];
      for await (const l of it) out.push(l);
      return out;
    };
    expect(await all(boundedLines(chunks('a\r\nb', 'c\n\nd'), 10))).toEqual(['a', 'bc', '', 'd']);
    await expect(all(boundedLines(chunks('ok\n', '0123456789', 'x'), 10))).rejects.toThrow('line 2 is longer than 10 bytes');
  });

  test('lines split at the first key delimiter; no delimiter, no key', () => {
    expect(lineRecord('42:Ada:Lovelace', ':', [])).toMatchObject({ key: Buffer.from('42'), value: Buffer.from('Ada:Lovelace') });
    expect(lineRecord('no key', ':', [])).toMatchObject({ key: null, value: Buffer.from('no key') });
    expect(lineRecord('a::b', '::', [])).toMatchObject({ key: Buffer.from('a'), value: Buffer.from('b') });
  });

  test('progress line: a bar when the size is known, rates always', () => {
    expect(progressLine(5000, 2_000_000, 2, 4_000_000)).toBe('[###############...............]  50%  5,000 records  2,500 records/s  1.0 MB/s');
    expect(progressLine(10, 100, 0)).toBe('10 records');
  });

  test('srvr answers and stats as the cluster and zk commands show them', () => {
    expect(parseSrvr('Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nConnections: 3\nZxid: 0x100000002\nMode: follower\n')).toEqual({ mode: 'follower', zxid: '0x100000002', connections: 3 });
    expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n')).toEqual({ mode: null, zxid: null, connections: null });
    const stat = { czxid: 0x10n, mzxid: 0x20n, ctime: 0, mtime: 1000, version: 2, cversion: 3, aversion: 0, ephemeralOwner: 0x1234n, dataLength: 5, numChildren: 1, pzxid: 0x30n };
    expect(statRecord(stat)).toMatchObject({ cZxid: '0x10', mZxid: '0x20', pZxid: '0x30', dataVersion: 2, ephemeralOwner: '0x1234', mtime: '1970-01-01T00:00:01.000Z' });
  });
});

describe('failures', () => {
  test('each kind is one line with an exit code: 2 for usage, 1 otherwise; bugs point at --debug', () => {
    expect(failureOf(new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'topic nope'))).toEqual({
      message: 'topic nope (UNKNOWN_TOPIC_OR_PARTITION); `skein topic list` shows the topics',
      exitCode: 1,
    });
    expect(failureOf(new KeeperError(ZkErrorCode.noNode, '/a'))).toMatchObject({ message: '/a: no such znode (`skein zk ls` lists them)', exitCode: 1 });
    expect(failureOf(new CommandFailure('offset 9 is outside t-0'))).toEqual({ message: 'offset 9 is outside t-0', exitCode: 1 });
    expect(failureOf(new TypeError('x is undefined'))).toEqual({ exitCode: 1, message: 'x is undefined (this looks like a bug in skein; --debug shows where)' });
    expect(failureOf(new UsageError('give --to or --to-time'))).toEqual({ message: 'give --to or --to-time', exitCode: 2 });
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open 'x.txt'"), { code: 'ENOENT', errno: -2, path: 'x.txt', syscall: 'open' });
    expect(failureOf(missing)).toEqual({ message: 'cannot read x.txt: no such file or directory', exitCode: 1 });
  });
});

describe("Kafka's default partitioner", () => {
  test('murmur2 matches the Java client on its own test vectors', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key)), key).toBe(hash);
    expect(partitionForKey(Buffer.from('foobar'), 6)).toBe((-790332482 & 0x7fffffff) % 6);
  });
});

describe("Kafka's range assignor", () => {
  test('members in id order take runs of partitions, the first ones one more; only subscribers of a topic get it', () => {
    const plan = rangeAssign(
      [
        { memberId: 'b', topics: ['t', 'u'] },
        { memberId: 'a', topics: ['t'] },
        { memberId: 'c', topics: ['t', 'u'] },
      ],
      new Map([
        ['t', 7],
        ['u', 1],
      ]),
    );
    expect(plan.get('a')).toEqual([{ topic: 't', partitions: [0, 1, 2] }]);
    expect(plan.get('b')).toEqual([
      { topic: 't', partitions: [3, 4] },
      { topic: 'u', partitions: [0] },
    ]);
    expect(plan.get('c')).toEqual([{ topic: 't', partitions: [5, 6] }]);
  });
});
