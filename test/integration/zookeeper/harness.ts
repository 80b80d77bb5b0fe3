// Starts Skein's ZooKeeper server in-process on a free port with a temporary data directory, and
// wraps node-zookeeper-client's callbacks in promises.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zookeeper, { type Client, type Exception, type Stat } from 'node-zookeeper-client';
import { FOUR_LETTER_WORDS } from '../../../protocol/zookeeper/four-letter.js';
import { createLogger, type Logger } from '../../../src/logger.js';
import { defaultZooKeeperConfig, type ZooKeeperConfig } from '../../../src/zookeeper/config.js';
import { startZooKeeper, type ZooKeeperServer } from '../../../src/zookeeper/server.js';

export const log = createLogger(process.env.SKEIN_LOG_LEVEL ?? 'silent');

export interface TestServer {
  port: number;
  dir: string;
  config: ZooKeeperConfig;
  /** The running server (a new one after restart()). */
  readonly server: ZooKeeperServer;
  stop(): Promise<void>;
  /** Stops and starts again on the same data directory and port. */
  restart(): Promise<void>;
  /** Stops and removes the data directory. */
  destroy(): Promise<void>;
}

export async function startTestServer(overrides: Partial<ZooKeeperConfig> = {}, logger: Logger = log): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-zk-it-'));
  const base = defaultZooKeeperConfig({
    dataDir: dir,
    dataLogDir: dir,
    clientPort: 0,
    clientPortAddress: '127.0.0.1',
    tickTime: 100,
    minSessionTimeout: 200,
    maxSessionTimeout: 60_000,
    fourLetterWords: new Set(FOUR_LETTER_WORDS),
    ...overrides,
  });
  let running = await startZooKeeper(base, logger);
  const server: TestServer = {
    port: running.clientPort,
    dir,
    config: { ...base, clientPort: running.clientPort },
    get server() {
      return running.server;
    },
    stop: () => running.stop(),
    async restart() {
      await running.stop();
      running = await startZooKeeper(server.config, logger);
    },
    async destroy() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A connected node-zookeeper-client, to a loopback port or through a connection string. */
export function nodeClient(server: number | string, sessionTimeout = 4000): Promise<Client> {
  const connectString = typeof server === 'number' ? `127.0.0.1:${server}` : server;
  const client = zookeeper.createClient(connectString, { sessionTimeout, spinDelay: 50, retries: 0 });
  return new Promise((resolve) => {
    client.once('connected', () => resolve(client));
    client.connect();
  });
}

/** Runs a callback-style call as a promise; the rejection is the client's Exception (with .code). */
export function call<T = void>(fn: (cb: (err: Exception | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

/** A long Stat field (node-zookeeper-client keeps them as 8-byte buffers) as a number. */
export function long(b: Buffer): number {
  return Number(b.readBigInt64BE(0));
}

export interface StatNumbers {
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: number;
  dataLength: number;
  numChildren: number;
}

export function statNumbers(s: Stat): StatNumbers {
  return {
    czxid: long(s.czxid),
    mzxid: long(s.mzxid),
    pzxid: long(s.pzxid),
    ctime: long(s.ctime),
    mtime: long(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: long(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

export function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(poll, 10);
    };
    poll();
  });
}

export { fourLetterWord } from '../../helpers/four-letter-word.js';
