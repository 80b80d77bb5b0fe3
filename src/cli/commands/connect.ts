// Opens the connection a client command needs and closes it however the command ends.
import { connect } from 'node:net';
import { KafkaAdmin } from '../../kafka/client/admin.js';
import { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { ConnectStringError, parseConnectString } from '../../zookeeper/client/connect-string.js';
import { commandSecurityOf } from '../command-config.js';
import { bootstrapOf, zooKeeperOf, type KafkaConnectOptions, type ZooKeeperConnectOptions } from '../client-options.js';
import { CommandFailure } from '../failure.js';

/** A command talking to a cluster gives up on a silent broker after this long (Kafka tools' request.timeout.ms). */
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** How long a zk command waits for a session before saying the ensemble is unreachable. */
const ZK_SESSION_TIMEOUT_MS = 10_000;

/** Connects with --bootstrap-server and, when given, --command-config's TLS and SASL login. */
export async function withAdmin<T>(options: KafkaConnectOptions, use: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = await KafkaAdmin.connect(bootstrapOf(options), { requestTimeoutMs: REQUEST_TIMEOUT_MS, connectTimeoutMs: CONNECT_TIMEOUT_MS, ...commandSecurityOf(options.commandConfig) });
  try {
    return await use(admin);
  } finally {
    admin.close();
  }
}

/** How long the reachability probe before a session waits for one server to accept a connection. */
const ZK_PROBE_TIMEOUT_MS = 3000;

/**
 * Resolves once any server of `connectString` accepts a TCP connection; rejects with why each refused.
 * A client waits out its whole session timeout for a server that is not there; a user who mistyped a
 * port should hear so at once.
 */
function anyServerListening(connectString: string): Promise<void> {
  const servers = parseConnectString(connectString).servers;
  const failures: string[] = [];
  return new Promise((resolve, reject) => {
    for (const { host, port } of servers) {
      const socket = connect({ host, port, timeout: ZK_PROBE_TIMEOUT_MS });
      const fail = (why: string) => {
        socket.destroy();
        failures.push(`${host}:${port}: ${why}`);
        if (failures.length === servers.length) reject(new CommandFailure(`cannot connect to ZooKeeper (${failures.join('; ')}): is it running? --server or SKEIN_ZOOKEEPER says where`));
      };
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('timeout', () => fail(`no answer within ${ZK_PROBE_TIMEOUT_MS} ms`));
      socket.once('error', (err) => fail(err.message));
    }
  });
}

export async function withZooKeeper<T>(options: ZooKeeperConnectOptions, use: (zk: ZooKeeperClient) => Promise<T>): Promise<T> {
  const connectString = zooKeeperOf(options);
  await anyServerListening(connectString);
  let zk: ZooKeeperClient;
  try {
    zk = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: ZK_SESSION_TIMEOUT_MS, retryDelayMs: 200 });
  } catch (err) {
    if (err instanceof ConnectStringError) throw err;
    throw new CommandFailure(`no ZooKeeper session from ${connectString} within ${ZK_SESSION_TIMEOUT_MS / 1000} s: is it running? --server or SKEIN_ZOOKEEPER says where`);
  }
  try {
    return await use(zk);
  } finally {
    await zk.close();
  }
}
