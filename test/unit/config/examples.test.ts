// The example configs under config/ are what the README and docker-compose.yml point at: they must parse
// with no unknown keys.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { brokerConfigFromText } from '../../../src/kafka/broker-config.js';
import { parseZooCfg } from '../../../src/zookeeper/config.js';

const read = (name: string) => readFileSync(new URL(`../../../config/${name}`, import.meta.url), 'utf8');

test('config/server.properties is a valid broker config', () => {
  const cfg = brokerConfigFromText(read('server.properties'));
  expect(cfg.unknownKeys).toEqual([]);
  expect(cfg.listener).toEqual({ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 });
});

test('config/zoo.cfg is a valid ZooKeeper config', () => {
  const { config, unusedKeys } = parseZooCfg(read('zoo.cfg'));
  expect(unusedKeys).toEqual([]);
  expect(config.clientPort).toBe(2181);
});
