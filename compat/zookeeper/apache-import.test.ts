// `skein zk import` on a data directory a real Apache ZooKeeper 3.8.0 (Debian's package, standalone) wrote:
// kazoo writes a few thousand znodes (nested, digest ACLs, changed data, deletes, sequentials, a multi,
// ACL changes, ephemerals of a session still open when the server stops), Skein's CLI adds a container
// and a TTL node, with snapCount small enough for several snapshots and logs. kazoo reads every znode
// (data, stat, ACL) from Apache, Apache stops, the import runs as a user types it, Skein starts on the
// result and kazoo reads every znode again: the two readings must be identical. Then the same directory,
// damaged, is refused with the file and offset and nothing is written. A second server writes snappy
// snapshots (snappy-java comes with Debian's zookeeper package), imported the same way.
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { ServerProcess, type CommandLine } from '../../test/helpers/server-process.js';
import { expectOneLine, skein } from '../../test/helpers/skein-cli.js';
import { APACHE_SLF4J_BINDING, APACHE_ZOOKEEPER_JAR } from '../../test/helpers/zk-ensemble.js';
import { PYTHON, run } from '../helpers/commands.js';
import { SkeinZooKeeper } from '../helpers/skein-process.js';

const SCRIPT = join(import.meta.dirname, 'apache_import.py');
const ZNODES = 3000;
/** Debian's snappy-java, which ZooKeeper needs on its classpath to write snappy snapshots. */
const SNAPPY_JAR = '/usr/share/java/snappy-java.jar';

/** Apache ZooKeeper standalone (ZooKeeperServerMain) on a zoo.cfg of its own, data in `dir`/apache. */
class ApacheStandalone extends ServerProcess {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly jars: string[],
  ) {
    super('binding to port');
  }

  /** `compression`: zookeeper.snapshot.compression.method (none by default, as ZooKeeper's own). */
  static async start(compression?: 'snappy'): Promise<ApacheStandalone> {
    const dir = await mkdtemp(join(tmpdir(), 'skein-apache-import-'));
    if (compression && !existsSync(SNAPPY_JAR)) throw new Error(`${SNAPPY_JAR} is missing: apt-get install libsnappy-java`);
    const server = new ApacheStandalone(dir, await freePort(), compression ? [SNAPPY_JAR] : []);
    const lines = [
      'tickTime=2000',
      `dataDir=${join(dir, 'apache')}`,
      `clientPort=${server.port}`,
      'clientPortAddress=127.0.0.1',
      // A snapshot every ~300–600 transactions: the import reads one of several and the log after it.
      'snapCount=600',
      'extendedTypesEnabled=true',
      'admin.enableServer=false',
      ...(compression ? [`snapshot.compression.method=${compression}`] : []),
    ];
    await writeFile(join(dir, 'zoo.cfg'), lines.join('\n'));
    await server.launch();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get dataDir(): string {
    return join(this.dir, 'apache');
  }

  protected override commandLine(): CommandLine {
    const classpath = [APACHE_ZOOKEEPER_JAR, APACHE_SLF4J_BINDING, ...this.jars].join(':');
    return {
      file: 'java',
      args: ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', classpath, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(this.dir, 'zoo.cfg')],
      cwd: this.dir,
      env: process.env,
    };
  }

  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

const started: { destroy(): Promise<void> }[] = [];
let apache: ApacheStandalone;

beforeAll(async () => {
  apache = await ApacheStandalone.start();
  started.push(apache);
});

afterAll(async () => {
  // Skein servers (started later) first: their data lives in an Apache server's dir.
  for (const server of started.reverse()) await server.destroy();
});

interface Dumped {
  path: string;
  data: string | null;
  /** Numbers, but ephemeralOwner in hex. */
  stat: Record<string, number | string>;
  acl: [number, string, string][];
}

async function kazoo(args: string[]): Promise<string> {
  const r = await run(PYTHON, [SCRIPT, ...args], '', 110_000, { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });
  if (r.code !== 0) throw new Error(`apache_import.py ${args[0]} exited with ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

async function dump(address: string): Promise<Dumped[]> {
  return (await kazoo(['dump', address])).trim().split('\n').map((line) => JSON.parse(line) as Dumped);
}

/** `prefix`.<zxid>[.compression] files of a server's data, by zxid. */
async function filesOf(server: ApacheStandalone, prefix: string): Promise<string[]> {
  const dir = join(server.dataDir, 'version-2');
  const zxidOf = (name: string) => BigInt(`0x${name.split('.')[1]!}`);
  const names = (await readdir(dir)).filter((n) => n.startsWith(`${prefix}.`));
  return names.sort((a, b) => Number(zxidOf(a) - zxidOf(b))).map((n) => join(dir, n));
}

interface Summary {
  nodes: number;
  sessions: number;
  replayed: number;
  lastZxid: string;
  snapshot: string;
}

/** `skein zk import` of a stopped server's data as a user types it, then Skein started on the result. */
async function importAndStart(server: ApacheStandalone): Promise<{ summary: Summary; skeinZk: SkeinZooKeeper }> {
  const dataDir = join(server.dir, 'skein', 'data');
  const r = await skein(undefined, ['zk', 'import', '--from', server.dataDir, '--data-dir', dataDir, '--format', 'json']);
  expect(r.stderr).toBe('');
  const skeinZk = await SkeinZooKeeper.start([`dataDir=${dataDir}`]);
  started.push(skeinZk);
  return { summary: JSON.parse(r.stdout) as Summary, skeinZk };
}

test('every znode of a ZooKeeper 3.8.0 data dir reads back identical through Skein', async () => {
  const owner = (await kazoo(['write', apache.address, String(ZNODES)])).trim();
  // kazoo 2.8 cannot make containers or TTL nodes; Skein's CLI makes them on Apache.
  for (const args of [['/app/cont', '--container'], ['/app/cont/kid', 'k'], ['/app/ttl', 't', '--ttl', '600000']]) {
    const r = await skein(undefined, ['zk', 'create', ...args, '--server', apache.address]);
    expect(r.stderr).toBe('');
  }
  const before = await dump(apache.address);
  expect(before.length).toBeGreaterThan(2400);
  expect(before.filter((n) => n.stat.ephemeralOwner === owner)).toHaveLength(11);
  expect(before.some((n) => n.acl.some(([, scheme]) => scheme === 'digest'))).toBe(true);
  await apache.stop();
  expect((await filesOf(apache, 'snapshot')).length).toBeGreaterThan(2);
  expect((await filesOf(apache, 'log')).length).toBeGreaterThan(2);

  const { summary, skeinZk } = await importAndStart(apache);
  expect(summary).toMatchObject({ nodes: before.length, sessions: 1 });
  expect(summary.replayed).toBeGreaterThan(0);
  expect(await dump(skeinZk.address)).toEqual(before);

  // Skein goes on numbering after Apache's last transaction.
  await skein(undefined, ['zk', 'create', '/after-import', '--server', skeinZk.address]);
  const created = JSON.parse((await skein(undefined, ['zk', 'stat', '/after-import', '--server', skeinZk.address, '--format', 'json'])).stdout) as { cZxid: string };
  expect(BigInt(created.cZxid)).toBeGreaterThan(BigInt(summary.lastZxid));
  await skeinZk.kill();
});

test('a damaged or truncated data dir is refused with the file and offset, nothing written', async () => {
  const target = join(apache.dir, 'refused', 'data');
  const refused = async (pattern: RegExp) => {
    const r = await skein(undefined, ['zk', 'import', '--from', apache.dataDir, '--data-dir', target]);
    expectOneLine(r, 1, pattern);
    await expect(stat(join(apache.dir, 'refused'))).rejects.toThrow(/ENOENT/);
  };

  // A flipped byte inside the newest log's first record: its Adler-32 no longer matches.
  const log = (await filesOf(apache, 'log')).at(-1)!;
  const flip = async () => {
    const file = await open(log, 'r+');
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 16 + 12 + 3);
    byte[0]! ^= 0xff;
    await file.write(byte, 0, 1, 16 + 12 + 3);
    await file.close();
  };
  await flip();
  await refused(new RegExp(`${log.replace(/\./g, '\\.')} at byte 16: record checksum .* does not match`));
  await flip();

  // The newest snapshot cut short, as a copy interrupted halfway leaves it.
  const snapshot = (await filesOf(apache, 'snapshot')).at(-1)!;
  const { size } = await stat(snapshot);
  await truncate(snapshot, Math.floor(size / 2));
  await refused(new RegExp(`${snapshot.replace(/\./g, '\\.')} at byte \\d+: `));
});

test('snappy-compressed snapshots (zookeeper.snapshot.compression.method=snappy) import identical', async () => {
  const snappy = await ApacheStandalone.start('snappy');
  started.push(snappy);
  await kazoo(['write', snappy.address, '800']);
  const before = await dump(snappy.address);
  await snappy.stop();
  expect((await filesOf(snappy, 'snapshot')).length).toBeGreaterThan(1);
  const { summary, skeinZk } = await importAndStart(snappy);
  expect(summary.snapshot).toMatch(/\.snappy$/);
  expect(await dump(skeinZk.address)).toEqual(before);
  await skeinZk.kill();
});
