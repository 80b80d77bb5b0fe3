// KIP-714's client-metrics subscriptions: Kafka's validation of a resource's keys (codes and messages),
// matching a client on its attributes, the union a client gets of the ones it matches, the version
// that makes instances recompute theirs, persistence (client-metrics.json of a broker alone, read back
// at start), and ListConfigResources' frames as @platformatic/kafka's v0 encoder writes them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { decodeRequestFrame, encodeResponseFrame } from '../../../protocol/kafka/index.js';
import { FileEntityConfigs, type EntityConfigs } from '../../../src/kafka/cluster/entity-configs.js';
import { editConfigs } from '../../../src/kafka/metadata/config-ops.js';
import {
  clientMetricsListDefault,
  parseSubscription,
  repeatsAmbiguously,
  subscriptionOf,
  type ClientAttributes,
} from '../../../src/kafka/telemetry/client-metrics-config.js';
import { ClientMetricsResources, SUBSCRIPTIONS_MAX } from '../../../src/kafka/telemetry/client-metrics-resources.js';

const PRODUCER: ClientAttributes = {
  client_instance_id: 't9HtQ_XI9lT8H1kdPlPhLA',
  client_id: 'orders-producer',
  client_software_name: 'confluent-kafka-javascript',
  client_software_version: '1.6.0-librdkafka-2.15.0',
  client_source_address: '10.0.0.7',
  client_source_port: '51234',
};

function refusal(config: Record<string, string>, name = 'sub'): { code: number; message: string } | undefined {
  try {
    parseSubscription(name, config);
    return undefined;
  } catch (err) {
    if (!(err instanceof KafkaProtocolError)) throw err;
    return { code: err.code, message: err.message };
  }
}

describe('validation, as Kafka validates a client-metrics resource', () => {
  test.each([
    ['an empty name', { metrics: '*' }, '', ErrorCode.INVALID_REQUEST, "Subscription name can't be empty"],
    ['an unknown key', { metric: '*' }, 'sub', ErrorCode.INVALID_REQUEST, 'Unknown client metrics configuration: metric'],
    ['an interval that is no int', { 'interval.ms': '1.5' }, 'sub', ErrorCode.INVALID_CONFIG, 'Invalid value 1.5 for configuration interval.ms: Not a number of type INT'],
    ['an interval past int', { 'interval.ms': '2147483648' }, 'sub', ErrorCode.INVALID_CONFIG, 'Invalid value 2147483648 for configuration interval.ms: Not a number of type INT'],
    ['a negative interval', { 'interval.ms': '-5' }, 'sub', ErrorCode.INVALID_REQUEST, 'Invalid value -5 for interval.ms, interval must be between 100 and 3600000 (1 hour)'],
    ['an interval over an hour', { 'interval.ms': '3600001' }, 'sub', ErrorCode.INVALID_REQUEST, 'Invalid value 3600001 for interval.ms, interval must be between 100 and 3600000 (1 hour)'],
    ['a bad regex', { match: 'client_id=[a-' }, 'sub', ErrorCode.INVALID_CONFIG, 'Illegal client matching pattern: client_id=[a-'],
    ['a backreference (not RE2)', { match: 'client_id=(a)\\1' }, 'sub', ErrorCode.INVALID_CONFIG, 'Illegal client matching pattern: client_id=(a)\\1'],
    ['an unknown selector', { match: 'client_rack=a' }, 'sub', ErrorCode.INVALID_CONFIG, 'Illegal client matching pattern: client_rack=a'],
    ['no value', { match: 'client_id=' }, 'sub', ErrorCode.INVALID_CONFIG, 'Illegal client matching pattern: client_id='],
    ['two equals signs', { match: 'client_id=a=b' }, 'sub', ErrorCode.INVALID_CONFIG, 'Illegal client matching pattern: client_id=a=b'],
    ['a regex past the length bound', { match: `client_id=${'a'.repeat(1001)}` }, 'sub', ErrorCode.INVALID_CONFIG, `Illegal client matching pattern: client_id=${'a'.repeat(1001)}`],
  ])('%s is refused', (_what, config, name, code, message) => {
    expect(refusal(config, name)).toEqual({ code, message });
  });

  test('a repeated group holding a quantifier or an alternation (exponential backtracking) is refused; other shapes are taken', () => {
    for (const p of ['(a+)+', '(a|ab)*', '(x*y)+', '(a{2,})+', '(a?)+', '((a+))+', '(?:a|b)*c']) expect(repeatsAmbiguously(p), p).toBe(true);
    for (const p of ['(a*)?', 'orders-.*', '(java|python)', '1\\.2\\..*', '[(]+', '(?:ab)+', '(ab){2}', '(a){1,2}', '((a)+)', '\\(a+\\)+', '[)]a*(b)+', '[]|]+'])
      expect(repeatsAmbiguously(p), p).toBe(false);
    expect(refusal({ match: 'client_id=(a+)+$' })).toEqual({ code: ErrorCode.INVALID_CONFIG, message: 'Illegal client matching pattern: client_id=(a+)+$' });
  });

  test('valid keys parse as Kafka parses them: trimmed lists, interval bounds included', () => {
    const s = parseSubscription('sub', { metrics: ' org.apache.kafka.producer. , org.apache.kafka.consumer. ', 'interval.ms': '100', match: 'client_id = orders-.* , client_software_name=confluent.*' });
    expect(s.metrics).toEqual(['org.apache.kafka.producer.', 'org.apache.kafka.consumer.']);
    expect(s.intervalMs).toBe(100);
    expect([...s.match.keys()]).toEqual(['client_id', 'client_software_name']);
    expect(parseSubscription('sub', {})).toMatchObject({ metrics: [], intervalMs: 300_000 });
    expect(parseSubscription('sub', { 'interval.ms': '3600000' }).intervalMs).toBe(3_600_000);
  });

  test('APPEND and SUBTRACT work on the list keys only', () => {
    expect(editConfigs({ metrics: 'a.' }, [{ name: 'metrics', operation: 2, value: 'b.,a.' }], clientMetricsListDefault)).toEqual({ metrics: 'a.,b.' });
    expect(editConfigs({}, [{ name: 'match', operation: 2, value: 'client_id=x' }], clientMetricsListDefault)).toEqual({ match: 'client_id=x' });
    expect(editConfigs({ metrics: 'a.,b.' }, [{ name: 'metrics', operation: 3, value: 'a.' }], clientMetricsListDefault)).toEqual({ metrics: 'b.' });
    expect(() => editConfigs({}, [{ name: 'interval.ms', operation: 2, value: '5' }], clientMetricsListDefault)).toThrow('Config value append is not allowed for config key: interval.ms');
    expect(() => editConfigs({}, [{ name: 'made.up', operation: 3, value: '5' }], clientMetricsListDefault)).toThrow('Unknown config name: made.up');
  });
});

describe('matching and the union a client gets', () => {
  const sub = (name: string, config: Record<string, string>) => parseSubscription(name, config);

  test('every pattern must match the whole attribute; no patterns match everyone; a client without the attribute matches none', () => {
    const all = sub('all', { metrics: 'org.apache.kafka.producer.' });
    const orders = sub('orders', { metrics: 'x.', match: 'client_id=orders-.*,client_software_name=confluent-kafka-javascript' });
    const partial = sub('partial', { metrics: 'y.', match: 'client_id=orders' });
    const port = sub('port', { metrics: 'z.', match: 'client_source_port=5123\\d' });
    expect(subscriptionOf([all, orders, partial, port], PRODUCER).metrics).toEqual(['org.apache.kafka.producer.', 'x.', 'z.']);
    expect(subscriptionOf([orders], { ...PRODUCER, client_id: null }).metrics).toEqual([]);
    expect(subscriptionOf([orders], { ...PRODUCER, client_software_name: 'unknown' }).metrics).toEqual([]);
  });

  test('the union: prefixes of all matching ones, just * if one has it, the shortest interval never over the default', () => {
    const a = sub('a', { metrics: 'p.,q.', 'interval.ms': '60000' });
    const b = sub('b', { metrics: 'q.,r.', 'interval.ms': '1000' });
    const star = sub('star', { metrics: '*', 'interval.ms': '3600000' });
    expect(subscriptionOf([a, b], PRODUCER)).toEqual({ metrics: ['p.', 'q.', 'r.'], intervalMs: 1000 });
    expect(subscriptionOf([a, star], PRODUCER)).toEqual({ metrics: ['*'], intervalMs: 60_000 });
    // Kafka starts from its default (5 min): a longer interval is not taken.
    expect(subscriptionOf([star], PRODUCER)).toEqual({ metrics: ['*'], intervalMs: 300_000 });
    expect(subscriptionOf([], PRODUCER)).toEqual({ metrics: [], intervalMs: 300_000 });
  });
});

describe('the stored subscriptions', () => {
  const stored = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'skein-client-metrics-')), 'client-metrics.json');
    return { file, resources: new ClientMetricsResources(new FileEntityConfigs(file)) };
  };

  test('a change is in effect at once, bumps the version, survives a restart; removing every key removes it', async () => {
    const { file, resources } = stored();
    const v0 = resources.version;
    await resources.change('orders/producers', () => ({ metrics: '*', match: 'client_id=orders-.*' }), false);
    expect(resources.version).toBeGreaterThan(v0);
    expect(resources.subscriptionFor(PRODUCER).metrics).toEqual(['*']);
    expect(resources.names()).toEqual(['orders/producers']);

    const restarted = new ClientMetricsResources(new FileEntityConfigs(file));
    await restarted.load();
    expect(restarted.names()).toEqual(['orders/producers']);
    expect(restarted.describe('orders/producers').map((c) => [c.name, c.value])).toEqual([
      ['metrics', '*'],
      ['interval.ms', '300000'],
      ['match', 'client_id=orders-.*'],
    ]);

    await resources.change('orders/producers', () => ({}), false);
    expect(resources.names()).toEqual([]);
    expect(resources.subscriptionFor(PRODUCER).metrics).toEqual([]);
  });

  test('what another tool stored is read as it is: a name that is no Sanitizer output, values Kafka would refuse (matched by no client)', async () => {
    const stored: Record<string, Record<string, string>> = { 'client-metrics/100%': { metrics: '*' }, 'client-metrics/bad': { metrics: '*', 'interval.ms': 'soon' } };
    const store: EntityConfigs = {
      read: (path) => Promise.resolve({ ...stored[path] }),
      write: () => Promise.resolve(),
      children: () => Promise.resolve(Object.keys(stored).map((k) => k.slice('client-metrics/'.length))),
    };
    const resources = new ClientMetricsResources(store);
    await resources.load();
    expect(resources.names().sort()).toEqual(['100%', 'bad']);
    expect(resources.subscriptionFor(PRODUCER).metrics).toEqual(['*']);
    expect(() => resources.describe('bad')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }));
  });

  test('validateOnly and refused changes keep nothing; a name never set is described with the defaults', async () => {
    const { resources } = stored();
    expect(resources.change('sub', () => ({ metrics: '*' }), true)).toBeUndefined();
    expect(() => resources.change('sub', () => ({ 'interval.ms': '0' }), false)).toThrow(KafkaProtocolError);
    expect(resources.names()).toEqual([]);
    expect(resources.describe('never').map((c) => [c.name, c.value, c.source])).toEqual([
      ['metrics', '', 5],
      ['interval.ms', '300000', 5],
      ['match', '', 5],
    ]);
    expect(() => resources.describe('')).toThrow('Client metrics subscription name must not be empty');
  });

  test(`at most ${SUBSCRIPTIONS_MAX} subscriptions; changing one that exists is always taken`, async () => {
    // Kept in memory: a thousand rewrites of a growing file would be slow and show nothing more.
    const memory: EntityConfigs = { read: () => Promise.resolve({}), write: () => Promise.resolve(), children: () => Promise.resolve([]) };
    const resources = new ClientMetricsResources(memory);
    for (let i = 0; i < SUBSCRIPTIONS_MAX; i++) void resources.change(`s${i}`, () => ({ metrics: '*' }), false);
    expect(() => resources.change('one-more', () => ({ metrics: '*' }), false)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }));
    await resources.change('s0', () => ({ metrics: 'a.' }), false);
  });
});

describe('ListConfigResources frames', () => {
  test("@platformatic/kafka's v0 request (header, then only the tagged fields) and a v0 answer without resource types", () => {
    // ListClientMetricsResources v0: api key 74, version 0, correlation id 7, client id "c", empty header tags, empty body tags.
    const frame = Buffer.from('004a0000000000070001630000', 'hex');
    const request = decodeRequestFrame(frame);
    expect(request).toMatchObject({ apiKey: 74, apiVersion: 0, correlationId: 7, clientId: 'c' });
    const response = Buffer.concat(encodeResponseFrame(74, 0, 7, { throttleTimeMs: 0, errorCode: 0, configResources: [{ resourceName: 'sub', resourceType: 16 }] }));
    // Correlation id, header tags, throttle, error, one resource ("sub" and its tags), body tags.
    expect(response.toString('hex')).toBe('00000007' + '00' + '00000000' + '0000' + '02' + '04737562' + '00' + '00');
    const v1 = Buffer.concat(encodeResponseFrame(74, 1, 7, { throttleTimeMs: 0, errorCode: 0, configResources: [{ resourceName: 'sub', resourceType: 16 }] }));
    expect(v1.toString('hex')).toBe('00000007' + '00' + '00000000' + '0000' + '02' + '04737562' + '10' + '00' + '00');
  });
});
