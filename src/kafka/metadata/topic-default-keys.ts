// server.properties keys whose only role is the default of a topic config Skein stores and reports but
// does not act on (preallocate, tiered storage, ...), with Kafka 3.9's defaults
// and checks. They are here so DescribeConfigs shows them as Kafka's synonyms, and so an existing
// server.properties that sets them is read, not refused as unknown.
import { bool, int, type KeyDef, long, str } from '../../config/schema.js';
import { compressionLevelProblem, COMPRESSION_LEVELS, metadataVersionProblem } from './config-values.js';

const LONG_MAX = 9223372036854775807;

function checked<T>(def: KeyDef<T>, problem: (v: T) => string | undefined): KeyDef<T> {
  return {
    ...def,
    parse(raw) {
      const v = def.parse(raw);
      const why = problem(v);
      if (why) throw new Error(why);
      return v;
    },
  };
}

function level(codec: keyof typeof COMPRESSION_LEVELS, doc: string): KeyDef<number> {
  return checked(int(doc, COMPRESSION_LEVELS[codec].default as number), (v) => compressionLevelProblem(codec, v));
}

export const topicDefaultKeys = {
  'log.roll.jitter.ms': long('Default segment.jitter.ms (no effect in Skein). Overrides hours.', undefined, { min: 0 }),
  'log.roll.jitter.hours': int('Default segment.jitter.ms in hours (no effect in Skein).', 0, { min: 0 }),
  'log.index.size.max.bytes': int('Default segment.index.bytes (no effect in Skein).', 10_485_760, { min: 4 }),
  'log.segment.delete.delay.ms': long('Default file.delete.delay.ms (no effect in Skein).', 60_000, { min: 0 }),
  'log.preallocate': bool('Default preallocate (no effect in Skein).', false),
  'log.message.format.version': checked(str('Default message.format.version (no effect: v2 batches only).', '3.0-IV1'), metadataVersionProblem),
  'log.message.timestamp.difference.max.ms': long('Default message.timestamp.difference.max.ms.', LONG_MAX, { min: 0 }),
  'log.message.downconversion.enable': bool('Default message.downconversion.enable (no effect in Skein).', true),
  'log.local.retention.ms': long('Default local.retention.ms (no effect: no tiered storage).', -2, { min: -2 }),
  'log.local.retention.bytes': long('Default local.retention.bytes (no effect: no tiered storage).', -2, { min: -2 }),
  'compression.gzip.level': level('gzip', 'gzip level when the broker recompresses to gzip.'),
  'compression.lz4.level': level('lz4', 'Default compression.lz4.level (no effect in Skein).'),
  'compression.zstd.level': level('zstd', 'zstd level when the broker recompresses to zstd.'),
};
