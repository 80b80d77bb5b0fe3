// `skein zk ls|get|set|create|delete|stat|acl|watch`: zkCli's everyday commands on Skein's own
// ZooKeeper client, against any ZooKeeper (Skein's or Apache's).
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ErrorCode, EventType, KeeperError } from '../../../protocol/zookeeper/codes.js';
import type { ACL, Stat, ZooKeeperClient } from '../../zookeeper/client/client.js';
import { intIn, UsageError } from '../args.js';
import { withExamples, withZooKeeperConnection, type ZooKeeperConnectOptions } from '../client-options.js';
import { formatOption, printResult, renderJson, renderTable, type OutputFormat } from '../output.js';
import { withZooKeeper } from './connect.js';
import { registerZkImport } from './zk-import.js';

type Options = ZooKeeperConnectOptions & { format: OutputFormat };

/** Znodes `ls -R` and `delete --recursive` visit at most: a mistyped `/` on a huge tree stops here. */
export const TREE_NODES_MAX = 100_000;
/** Bytes `set`/`create` read from stdin at most: ZooKeeper's default jute.maxbuffer. */
const DATA_MAX_BYTES = 1024 * 1024;

/** The stat as zkCli prints it: zxids in hex, times as ISO dates, the owner session in hex. */
export function statRecord(stat: Stat): Record<string, string | number> {
  const hex = (v: bigint) => `0x${v.toString(16)}`;
  return {
    cZxid: hex(stat.czxid),
    ctime: new Date(stat.ctime).toISOString(),
    mZxid: hex(stat.mzxid),
    mtime: new Date(stat.mtime).toISOString(),
    pZxid: hex(stat.pzxid),
    cversion: stat.cversion,
    dataVersion: stat.version,
    aclVersion: stat.aversion,
    ephemeralOwner: hex(stat.ephemeralOwner),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}

function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

interface TreeNode {
  path: string;
  /** The line `ls -R` prints for it: the tree's branches, then its name. */
  line: string;
}

/** Every znode under `root` (itself first), depth first in name order, drawn as a tree. */
async function walk(zk: ZooKeeperClient, root: string): Promise<TreeNode[]> {
  const out: TreeNode[] = [];
  // `indent` continues the ancestors' branches; `branch` connects this node to its parent.
  const visit = async (path: string, indent: string, branch: string): Promise<void> => {
    if (out.length >= TREE_NODES_MAX) throw new UsageError(`${root} has more than ${TREE_NODES_MAX} znodes below it: pick a deeper path`);
    const depth = branch === '' ? 0 : 1;
    out.push({ path, line: `${indent}${branch}${depth === 0 ? path : path.slice(path.lastIndexOf('/') + 1)}` });
    let children: string[];
    try {
      children = await zk.getChildren(path);
    } catch (err) {
      // Deleted between listing its parent and now: nothing left to show.
      if (err instanceof KeeperError && depth > 0 && err.code === ErrorCode.noNode) return;
      throw err;
    }
    const below = branch === '' ? '' : `${indent}${branch === '└── ' ? '    ' : '│   '}`;
    children.sort();
    for (const [i, child] of children.entries()) await visit(joinPath(path, child), below, i === children.length - 1 ? '└── ' : '├── ');
  };
  await visit(root, '', '');
  return out;
}

/** The data argument, or stdin when it is absent or "-". */
async function dataArgument(data: string | undefined, file: string | undefined): Promise<Buffer> {
  if (file !== undefined) return readFile(file);
  if (data !== undefined && data !== '-') return Buffer.from(data);
  if (process.stdin.isTTY && data === undefined) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    bytes += (chunk as Buffer).length;
    if (bytes > DATA_MAX_BYTES) throw new UsageError(`stdin holds more than ${DATA_MAX_BYTES} bytes, ZooKeeper's limit for one znode`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function aclRows(acl: readonly ACL[]) {
  const perms = (p: number) => ['r', 'w', 'c', 'd', 'a'].filter((_, i) => p & [1, 2, 4, 8, 16][i]!).join('');
  return acl.map((a) => ({ scheme: a.id.scheme, id: a.id.id, perms: perms(a.perms) }));
}

const EVENT_NAMES = Object.fromEntries(Object.entries(EventType).map(([name, code]) => [code, name])) as Record<number, string>;

export function registerZkCommands(program: Command): void {
  const zk = program.command('zk').description('read and change znodes on any ZooKeeper');
  withExamples(zk, [
    ['skein zk ls -R /', 'the whole tree'],
    ['skein zk create /app/config \'{"mode":"on"}\' --parents', 'a znode and its parents'],
    ['skein zk get /app/config', 'its data'],
  ]);
  registerZkImport(zk);

  withExamples(
    withZooKeeperConnection(zk.command('ls').description('list the children of a znode, or with -R the tree below it').argument('[path]', 'znode', '/').option('-R, --recursive', 'the whole tree, as a tree').addOption(formatOption())),
    [
      ['skein zk ls /brokers/ids', 'the registered Kafka brokers'],
      ['skein zk ls -R /brokers', 'the tree below /brokers'],
    ],
  ).action(async (path: string, o: Options & { recursive?: boolean }) => {
    await withZooKeeper(o, async (client) => {
      if (!o.recursive) {
        const children = (await client.getChildren(path)).sort();
        printResult(o.format, children, () => children.map((c) => `${c}\n`).join(''));
        return;
      }
      const nodes = await walk(client, path);
      printResult(
        o.format,
        nodes.map((n) => n.path),
        () => nodes.map((n) => `${n.line}\n`).join(''),
      );
    });
  });

  withExamples(withZooKeeperConnection(zk.command('get').description("print a znode's data (as stored: pipe it to a file for binary data)").argument('<path>').addOption(formatOption())), [
    ['skein zk get /controller', 'which broker is the Kafka controller'],
    ['skein zk get /app/config --format json', 'data and stat as JSON'],
  ]).action(async (path: string, o: Options) => {
    await withZooKeeper(o, async (client) => {
      const { data, stat } = await client.getData(path);
      if (o.format === 'json') process.stdout.write(renderJson({ path, data: data?.toString('utf8') ?? null, stat: statRecord(stat) }));
      else if (data) process.stdout.write(data.length > 0 && data[data.length - 1] !== 0x0a && process.stdout.isTTY ? Buffer.concat([data, Buffer.from('\n')]) : data);
    });
  });

  withExamples(
    withZooKeeperConnection(
      zk
        .command('set')
        .description("replace a znode's data")
        .argument('<path>')
        .argument('[data]', 'the new data; "-" or absent: read stdin')
        .option('-f, --file <file>', 'read the data from a file')
        .addOption(new Option('-v, --version <n>', 'only if the znode is at this data version').argParser(intIn(-1, 0x7fffffff)).default(-1))
        .addOption(formatOption()),
    ),
    [
      ['skein zk set /app/config \'{"mode":"off"}\'', 'new data'],
      ['skein zk set /app/config -f config.json -v 3', 'from a file, if nobody changed it since version 3'],
    ],
  ).action(async (path: string, data: string | undefined, o: Options & { file?: string; version: number }) => {
    const bytes = await dataArgument(data, o.file);
    await withZooKeeper(o, async (client) => {
      const stat = statRecord(await client.setData(path, bytes, o.version));
      printResult(o.format, { path, stat }, () => renderTable(['path', 'version', 'mzxid'], [[path, stat.dataVersion, stat.mZxid]]));
    });
  });

  withExamples(
    withZooKeeperConnection(
      zk
        .command('create')
        .description('create a znode')
        .argument('<path>')
        .argument('[data]', 'its data; "-": read stdin (default: empty)')
        .option('-f, --file <file>', 'read the data from a file')
        .option('-s, --sequential', 'append a 10-digit sequence number to the name')
        .option('-c, --container', 'a container, deleted by the server once its last child is')
        .addOption(new Option('-t, --ttl <ms>', 'a TTL node, deleted by the server once unchanged and childless this long').argParser(intIn(1, Number.MAX_SAFE_INTEGER)))
        .option('-p, --parents', 'create missing parents too (empty, persistent)')
        .addOption(formatOption()),
    ),
    [
      ['skein zk create /app', 'an empty znode'],
      ['skein zk create /app/jobs/job- payload --sequential --parents', '/app/jobs/job-0000000000'],
    ],
  ).action(async (path: string, data: string | undefined, o: Options & { file?: string; sequential?: boolean; container?: boolean; ttl?: number; parents?: boolean }) => {
    if (o.container && (o.sequential || o.ttl !== undefined)) throw new UsageError('--container cannot be sequential or have a TTL');
    const bytes = data === undefined && o.file === undefined ? Buffer.alloc(0) : await dataArgument(data, o.file);
    const mode = o.container
      ? 'container'
      : o.ttl !== undefined
        ? o.sequential
          ? 'persistentSequentialWithTtl'
          : 'persistentWithTtl'
        : o.sequential
          ? 'persistentSequential'
          : 'persistent';
    await withZooKeeper(o, async (client) => {
      if (o.parents) {
        const parts = path.split('/').filter(Boolean).slice(0, -1);
        for (let i = 1; i <= parts.length; i++) {
          try {
            await client.create(`/${parts.slice(0, i).join('/')}`);
          } catch (err) {
            if (!(err instanceof KeeperError && err.code === ErrorCode.nodeExists)) throw err;
          }
        }
      }
      const created = await client.create(path, bytes, { mode, ...(o.ttl !== undefined && { ttl: o.ttl }) });
      printResult(o.format, { path: created }, () => `${created}\n`);
    });
  });

  withExamples(
    withZooKeeperConnection(
      zk
        .command('delete')
        .alias('rm')
        .description('delete a znode (with -R, and everything below it)')
        .argument('<path>')
        .option('-R, --recursive', 'delete its descendants first')
        .addOption(new Option('-v, --version <n>', 'only if the znode is at this data version').argParser(intIn(-1, 0x7fffffff)).default(-1))
        .addOption(formatOption()),
    ),
    [
      ['skein zk delete /app/config', 'one znode'],
      ['skein zk delete -R /app', 'a whole subtree'],
    ],
  ).action(async (path: string, o: Options & { recursive?: boolean; version: number }) => {
    if (path === '/' || path === '/zookeeper') throw new UsageError(`${path} cannot be deleted`);
    await withZooKeeper(o, async (client) => {
      const nodes = o.recursive ? (await walk(client, path)).map((n) => n.path) : [path];
      // Deepest first, so each znode is childless when its turn comes.
      for (const p of nodes.slice(1).reverse()) await client.delete(p);
      await client.delete(path, o.version);
      printResult(o.format, { deleted: nodes }, () => `deleted ${nodes.length === 1 ? path : `${path} and ${nodes.length - 1} znodes below it`}\n`);
    });
  });

  withExamples(withZooKeeperConnection(zk.command('stat').description("a znode's stat: zxids, times, versions, owner, sizes").argument('<path>').addOption(formatOption())), [
    ['skein zk stat /brokers/ids/1', 'ephemeralOwner is the broker\'s session'],
  ]).action(async (path: string, o: Options) => {
    await withZooKeeper(o, async (client) => {
      const stat = await client.exists(path);
      if (!stat) throw new KeeperError(ErrorCode.noNode, path);
      const record = statRecord(stat);
      printResult(o.format, record, () => renderTable(['field', 'value'], Object.entries(record)));
    });
  });

  withExamples(withZooKeeperConnection(zk.command('acl').description("a znode's ACL").argument('<path>').addOption(formatOption())), [['skein zk acl /app', 'scheme, id and permissions (rwcda)']]).action(
    async (path: string, o: Options) => {
      await withZooKeeper(o, async (client) => {
        const rows = aclRows((await client.getACL(path)).acl);
        printResult(o.format, rows, () => renderTable(['scheme', 'id', 'perms'], rows.map((r) => [r.scheme, r.id, r.perms])));
      });
    },
  );

  withExamples(withZooKeeperConnection(zk.command('watch').description('print every change at or below a znode until Ctrl-C (a persistent recursive watch)').argument('[path]', 'znode', '/').addOption(formatOption())), [
    ['skein zk watch /brokers', 'brokers joining and leaving, topics changing'],
  ]).action(async (path: string, o: Options) => {
    await withZooKeeper(o, async (client) => {
      await client.addWatch(
        path,
        (event) => {
          const type = EVENT_NAMES[event.type] ?? String(event.type);
          const at = new Date().toISOString();
          process.stdout.write(o.format === 'json' ? renderJson({ time: at, type, path: event.path }) : `${at}  ${type.padEnd(20)} ${event.path}\n`);
        },
        'persistentRecursive',
      );
      process.stderr.write(`watching ${path} and below; Ctrl-C stops\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    });
  });
}
