// A stopping broker's request to the controller (ControlledShutdown, API 7), as Kafka's
// KafkaServer.controlledShutdown sends it: leadership moves to other ISR members before this broker stops
// answering, so clients switch leaders without waiting for the session timeout. Retried while the
// controller reports partitions it could not move; after controlled.shutdown.max.retries the broker stops
// anyway. The controller and its endpoint are read from ZooKeeper (/controller, /brokers/ids/<id>) as
// Kafka does: a broker stopped right after it started may not have had the controller's UpdateMetadata
// yet, and would otherwise wait a whole retry backoff for it.
import { interBrokerSecurity } from '../inter-broker-security.js';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import { KafkaConnection } from '../client/connection.js';
import { KeeperError } from '../../../protocol/zookeeper/codes.js';
import { brokerIdPath, CONTROLLER_PATH, decodeBrokerRegistration, decodeController } from '../../../protocol/kafka/zk/znodes.js';
import type { ClusterMembership } from './membership.js';

const CONTROLLED_SHUTDOWN_VERSION = 3;

/** Whether the controller confirmed that this broker leads nothing any more. */
/** The controller's inter-broker endpoint, or undefined while there is none (or ZooKeeper cannot say). */
async function controllerEndpoint(membership: ClusterMembership, listener: string, log: Logger): Promise<{ host: string; port: number } | undefined> {
  try {
    const id = decodeController((await membership.zk.getData(CONTROLLER_PATH)).data);
    const registration = decodeBrokerRegistration(id, (await membership.zk.getData(brokerIdPath(id))).data);
    return registration.endpoints.find((e) => e.listener === listener);
  } catch (err) {
    // No controller right now (an election under way), or ZooKeeper unreachable: the next attempt asks again.
    if (!(err instanceof KeeperError)) log.warn({ err }, 'cannot tell the controller from ZooKeeper');
    return undefined;
  }
}

export async function controlledShutdown(membership: ClusterMembership, config: BrokerConfig, log: Logger): Promise<boolean> {
  const attempts = config.values['controlled.shutdown.max.retries'] + 1;
  const backoffMs = config.values['controlled.shutdown.retry.backoff.ms'];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const controller = await controllerEndpoint(membership, config.listener.name, log);
    if (controller) {
      let conn: KafkaConnection | undefined;
      try {
        conn = await KafkaConnection.connect(`${controller.host.includes(':') ? `[${controller.host}]` : controller.host}:${controller.port}`, {
          clientId: `skein-broker-${config.brokerId}`,
          requestTimeoutMs: config.values['controller.socket.timeout.ms'],
          ...interBrokerSecurity(config),
        });
        const response = await conn.send(ApiKey.ControlledShutdown, CONTROLLED_SHUTDOWN_VERSION, { brokerId: config.brokerId, brokerEpoch: membership.brokerEpoch });
        if (response.errorCode === ErrorCode.NONE && response.remainingPartitions.length === 0) {
          log.info({ attempt }, 'controlled shutdown done: this broker leads no partition');
          return true;
        }
        log.info({ attempt, errorCode: response.errorCode, remaining: response.remainingPartitions.length }, 'controlled shutdown incomplete');
      } catch (err) {
        log.warn({ err, attempt }, 'controlled shutdown request failed');
      } finally {
        conn?.close();
      }
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffMs));
  }
  log.warn('controlled shutdown did not complete; stopping anyway');
  return false;
}
