// Opens the connection a client command needs and closes it however the command ends.
import { KafkaAdmin } from '../../kafka/client/admin.js';
import { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { ConnectStringError } from '../../zookeeper/client/connect-string.js';
import { bootstrapOf, zooKeeperOf, type KafkaConnectOptions, type ZooKeeperConnectOptions } from '../client-options.js';
import { CommandFailure } from '../failure.js';

/** A command talking to a cluster gives up on a silent broker after this long (Kafka tools' request.timeout.ms). */
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** How long a zk command waits for a session before saying the ensemble is unreachable. */
const ZK_SESSION_TIMEOUT_MS = 10_000;

export async function withAdmin<T>(options: KafkaConnectOptions, use: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
  const admin = await KafkaAdmin.connect(bootstrapOf(options), { requestTimeoutMs: REQUEST_TIMEOUT_MS, connectTimeoutMs: CONNECT_TIMEOUT_MS });
  try {
    return await use(admin);
  } finally {
    admin.close();
  }
}

export async function withZooKeeper<T>(options: ZooKeeperConnectOptions, use: (zk: ZooKeeperClient) => Promise<T>): Promise<T> {
  const connectString = zooKeeperOf(options);
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
