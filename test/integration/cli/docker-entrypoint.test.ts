// The Docker image without a Docker engine: its ENTRYPOINT and CMD run with its ENV, as `docker run`
// would run them, read from the Dockerfile itself so the test follows the file. The node must be reachable
// on an address other than 127.0.0.1 (here 127.0.0.2: it listens on every interface), advertise the
// configured host, and take KAFKA_CFG_* settings; the HEALTHCHECK command must tell /healthz's answers apart.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import { afterAll, expect, test } from 'vitest';
import { ROOT } from '../../helpers/crash.js';
import { freePort } from '../../helpers/free-port.js';

interface Image {
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
}

/** The instructions the test needs, from the Dockerfile's final stage (continuation lines joined). */
function readImage(): Image {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').filter((l) => !l.startsWith('#'));
  const final = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));
  const image: Image = { env: {}, entrypoint: [], cmd: [], healthcheck: [] };
  for (const line of final) {
    const [instruction, ...rest] = line.trim().split(/\s+/);
    const args = rest.join(' ');
    if (instruction === 'ENV') for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) image.env[k!] = v!;
    if (instruction === 'ENTRYPOINT') image.entrypoint = JSON.parse(args) as string[];
    if (instruction === 'CMD') image.cmd = JSON.parse(args) as string[];
    if (instruction === 'HEALTHCHECK') image.healthcheck = JSON.parse(args.slice(args.indexOf('CMD ') + 4)) as string[];
  }
  return image;
}

const image = readImage();
const dataDir = mkdtempSync(join(tmpdir(), 'skein-docker-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function run(argv: string[], env: Record<string, string>) {
  // `node` in the image is the node running this test; the image's WORKDIR holds dist/ as ROOT does.
  const [command, ...args] = argv;
  return spawn(command === 'node' ? process.execPath : command!, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

test('the image runs ENTRYPOINT + CMD: a whole node on every interface, advertising SKEIN_ADVERTISED_HOST', async () => {
  expect(image.cmd).toEqual(['start']);
  expect(image.env.SKEIN_HOST).toBe('0.0.0.0');
  const [kafkaPort, zkPort] = [await freePort(), await freePort()];
  const child = run([...image.entrypoint, ...image.cmd], {
    ...image.env,
    // What `docker run -v` and `-e` change: the data volume's place, ports, the name clients use, a broker setting.
    SKEIN_DATA_DIR: dataDir,
    SKEIN_KAFKA_PORT: String(kafkaPort),
    SKEIN_ZOOKEEPER_PORT: String(zkPort),
    SKEIN_ADVERTISED_HOST: '127.0.0.2',
    KAFKA_CFG_NUM_PARTITIONS: '3',
    SKEIN_LOG_LEVEL: 'info',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    let out = '';
    const started = await new Promise<{ kafka: string; advertised: string; zookeeper: string; dataDir: string }>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.includes('"skein node started"'));
        if (line) resolve(JSON.parse(line) as never);
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    expect(started).toMatchObject({ kafka: `0.0.0.0:${kafkaPort}`, advertised: `127.0.0.2:${kafkaPort}`, zookeeper: `0.0.0.0:${zkPort}`, dataDir });

    // Reached on an address that is not 127.0.0.1, and telling clients the advertised host.
    const kafka = new Kafka({ brokers: [`127.0.0.2:${kafkaPort}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers).toEqual([expect.objectContaining({ host: '127.0.0.2', port: kafkaPort })]);
      await admin.createTopics({ topics: [{ topic: 'from-env' }], waitForLeaders: true });
      const [meta] = (await admin.fetchTopicMetadata({ topics: ['from-env'] })).topics;
      expect(meta!.partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
    const zk = zookeeper.createClient(`127.0.0.2:${zkPort}`);
    await new Promise<void>((resolve) => zk.once('connected', () => resolve()).connect());
    zk.close();
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});

test('the HEALTHCHECK command passes on /healthz 200 and fails on another status or no listener', async () => {
  let status = 200;
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const check = (httpPort: number) =>
    new Promise<number | null>((resolve) => run(image.healthcheck, { SKEIN_HTTP_PORT: String(httpPort) }).on('exit', resolve));
  try {
    expect(await check(port)).toBe(0);
    status = 503;
    expect(await check(port)).toBe(1);
    expect(paths).toEqual(['/healthz', '/healthz']);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  expect(await check(await freePort())).toBe(1);
});
