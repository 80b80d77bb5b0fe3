// `skein zk import` on a data directory a real Apache ZooKeeper 3.8.0 (Debian's package, standalone) wrote:
// kazoo writes a few thousand znodes (nested, digest ACLs, changed data, deletes, sequentials, a multi,
// ACL changes, ephemerals of a session still open when the server stops), Skein's CLI adds a container
// and a TTL node, with snapCount small enough for several snapshots and logs. kazoo reads every znode
// (data, stat, ACL) from Apache, Apache stops, the import runs as a user types it, Skein starts on the
// result and kazoo reads every znode again: the two readings must be identical. Then the same directory,
// damaged, is refused with the file and offset and nothing is written.
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

/** Apache ZooKeeper standalone (ZooKeeperServerMain) on one zoo.cfg. */
class ApacheStandalone extends ServerProcess {
  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    super('binding to port');
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  protected override commandLine(): CommandLine {
    return {
      file: 'java',
      args: ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', `${APACHE_ZOOKEEPER_JAR}:${APACHE_SLF4J_BINDING}`, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(this.dir, 'zoo.cfg')],
      cwd: this.dir,
      env: process.env,
    };
  }
}

let work: string;
let apache: ApacheStandalone;
let skeinZk: SkeinZooKeeper | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'skein-apache-import-'));
  apache = new ApacheStandalone(work, await freePort());
  await writeFile(
    join(work, 'zoo.cfg'),
    [
      'tickTime=2000',
      `dataDir=${join(work, 'apache')}`,
      `clientPort=${apache.port}`,
      'clientPortAddress=127.0.0.1',
      // A snapshot every ~300–600 transactions: the import reads one of several and the log after it.
      'snapCount=600',
      'extendedTypesEnabled=true',
      'admin.enableServer=false',
    ].join('\n'),
  );
  await apache.launch();
});

afterAll(async () => {
  await apache?.kill();
  await skeinZk?.kill();
  if (work) await rm(work, { recursive: true, force: true });
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

const apacheData = () => join(work, 'apache');
const skeinData = () => join(work, 'skein', 'data');

async function filesOf(prefix: string): Promise<string[]> {
  const dir = join(apacheData(), 'version-2');
  const names = (await readdir(dir)).filter((n) => n.startsWith(`${prefix}.`));
  return names.sort((a, b) => Number(BigInt(`0x${a.slice(prefix.length + 1)}`) - BigInt(`0x${b.slice(prefix.length + 1)}`))).map((n) => join(dir, n));
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
  expect((await filesOf('snapshot')).length).toBeGreaterThan(2);
  expect((await filesOf('log')).length).toBeGreaterThan(2);

  const r = await skein(undefined, ['zk', 'import', '--from', apacheData(), '--data-dir', skeinData(), '--format', 'json']);
  expect(r.stderr).toBe('');
  const summary = JSON.parse(r.stdout) as { nodes: number; sessions: number; replayed: number; lastZxid: string };
  expect(summary).toMatchObject({ nodes: before.length, sessions: 1 });
  expect(summary.replayed).toBeGreaterThan(0);

  skeinZk = await SkeinZooKeeper.start([`dataDir=${skeinData()}`]);
  const after = await dump(skeinZk.address);
  expect(after).toEqual(before);

  // Skein goes on numbering after Apache's last transaction.
  await skein(undefined, ['zk', 'create', '/after-import', '--server', skeinZk.address]);
  const created = JSON.parse((await skein(undefined, ['zk', 'stat', '/after-import', '--server', skeinZk.address, '--format', 'json'])).stdout) as { cZxid: string };
  expect(BigInt(created.cZxid)).toBeGreaterThan(BigInt(summary.lastZxid));
  await skeinZk.kill();
});

test('a damaged or truncated data dir is refused with the file and offset, nothing written', async () => {
  const target = join(work, 'refused', 'data');
  const refused = async (pattern: RegExp) => {
    const r = await skein(undefined, ['zk', 'import', '--from', apacheData(), '--data-dir', target]);
    expectOneLine(r, 1, pattern);
    await expect(stat(join(work, 'refused'))).rejects.toThrow(/ENOENT/);
  };

  // A flipped byte inside the newest log's first record: its Adler-32 no longer matches.
  const log = (await filesOf('log')).at(-1)!;
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
  const snapshot = (await filesOf('snapshot')).at(-1)!;
  const { size } = await stat(snapshot);
  await truncate(snapshot, Math.floor(size / 2));
  await refused(new RegExp(`${snapshot.replace(/\./g, '\\.')} at byte \\d+: `));
});
