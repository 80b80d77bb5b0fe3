// /metrics for KIP-714 client telemetry: how many client instances the broker tracks, and every metric
// family clients pushed, registered on the scrape's registry the first time a client pushes it. Pushed
// families are named by their senders; one whose name Skein's own metrics already use is left out.
import type { Registry } from 'prom-client';
import type { BrokerView } from './broker-view.js';
import { registerScraped, type ScrapedMetric } from './scraped.js';

export function clientTelemetryMetrics(broker: BrokerView): ScrapedMetric[] {
  const { telemetry } = broker;
  return [
    {
      // Kafka's ClientMetricsManager instance-count, named as the JMX exporter names it.
      name: 'kafka_server_client_metrics_instance_count',
      help: 'Client instances (KIP-714) this broker tracks: heard from within 3 push intervals.',
      type: 'gauge',
      samples: () => {
        telemetry.expire(broker.now());
        return [{ value: telemetry.clients }];
      },
    },
    {
      name: 'kafka_server_client_metrics_dropped_series_total',
      help: 'Series of pushed client metrics not kept because telemetry.max.series was reached.',
      type: 'counter',
      samples: () => [{ value: telemetry.pushed.droppedSeries }],
    },
  ];
}

/** Registers each pushed family on `registry` as clients first send it; its samples are every live client's series. */
export function registerPushedFamilies(registry: Registry, broker: BrokerView): void {
  const { telemetry } = broker;
  telemetry.pushed.watchFamilies((family) => {
    if (registry.getSingleMetric(family.name)) return;
    registerScraped(registry, {
      ...family,
      samples: () => {
        telemetry.expire(broker.now());
        return telemetry.pushed.samples(family);
      },
    });
  });
}
