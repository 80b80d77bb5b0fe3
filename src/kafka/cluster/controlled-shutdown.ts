// A stopping broker's request to the controller (ControlledShutdown, API 7), as Kafka's
// KafkaServer.controlledShutdown sends it: leadership moves to other ISR members before this broker stops
// answering, so clients switch leaders without waiting for the session timeout. Retried while the
// controller reports partitions it could not move; after controlled.shutdown.max.retries the broker stops
// anyway.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import { KafkaConnection } from '../client/connection.js';
import type { MetadataView } from '../metadata/metadata-view.js';
import type { ClusterMembership } from './membership.js';

const CONTROLLED_SHUTDOWN_VERSION = 3;

/** Whether the controller confirmed that this broker leads nothing any more. */
export async function controlledShutdown(metadata: MetadataView, membership: ClusterMembership, config: BrokerConfig, log: Logger): Promise<boolean> {
  const attempts = config.values['controlled.shutdown.max.retries'] + 1;
  const backoffMs = config.values['controlled.shutdown.retry.backoff.ms'];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const controller = metadata.liveBrokers().find((b) => b.nodeId === metadata.controllerId());
    if (controller) {
      let conn: KafkaConnection | undefined;
      try {
        conn = await KafkaConnection.connect(`${controller.host.includes(':') ? `[${controller.host}]` : controller.host}:${controller.port}`, {
          clientId: `skein-broker-${config.brokerId}`,
          requestTimeoutMs: config.values['controller.socket.timeout.ms'],
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
