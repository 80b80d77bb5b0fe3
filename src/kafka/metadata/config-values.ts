// Value rules Kafka shares between a topic config and the broker key that sets its default: the codec
// names, compression levels per codec and the message format versions it still parses.

/** BrokerCompressionType's names: a topic may store batches in one codec or as the producer sent them. */
export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
export type CompressionTypeName = (typeof COMPRESSION_TYPES)[number];

/** Kafka's CompressionType levels (KIP-390): gzip 1-9 or -1 (zlib's default), lz4 1-17, zstd -131072..22. */
export const COMPRESSION_LEVELS = {
  gzip: { min: 1, max: 9, default: -1, also: -1 },
  lz4: { min: 1, max: 17, default: 9 },
  zstd: { min: -131072, max: 22, default: 3 },
} as const;

/** Why `level` is not a valid level of `codec`, or undefined. */
export function compressionLevelProblem(codec: keyof typeof COMPRESSION_LEVELS, level: number): string | undefined {
  const range: { min: number; max: number; also?: number } = COMPRESSION_LEVELS[codec];
  if ((level >= range.min && level <= range.max) || level === range.also) return undefined;
  return `Value must be between ${range.min} and ${range.max}${range.also !== undefined ? ` or equal to ${range.also}` : ''}`;
}

/**
 * Kafka 3.9's MetadataVersion releases and how many sub-versions (IV0, IV1, ...) each has; a release
 * without sub-versions is spelled in full ("0.8.2"). 4.0 was not a production version in 3.9, so only
 * its "4.0-IVn" spellings parse.
 */
const METADATA_RELEASES: readonly [release: string, subVersions: number][] = [
  ['0.8.0', 0], ['0.8.1', 0], ['0.8.2', 0], ['0.9.0', 0], ['0.10.0', 2], ['0.10.1', 3], ['0.10.2', 1], ['0.11.0', 3],
  ['1.0', 1], ['1.1', 1], ['2.0', 2], ['2.1', 3], ['2.2', 2], ['2.3', 2], ['2.4', 2], ['2.5', 1], ['2.6', 1], ['2.7', 3],
  ['2.8', 2], ['3.0', 2], ['3.1', 1], ['3.2', 1], ['3.3', 4], ['3.4', 1], ['3.5', 3], ['3.6', 3], ['3.7', 5], ['3.8', 1],
  ['3.9', 1], ['4.0', 2],
];
const UNRELEASED = new Set(['4.0']);

const METADATA_VERSIONS = new Set(
  METADATA_RELEASES.flatMap(([release, n]) => [
    ...(UNRELEASED.has(release) ? [] : [release]),
    ...Array.from({ length: n }, (_, i) => `${release}-IV${i}`),
  ]),
);

/**
 * Why `value` is not a version Kafka's MetadataVersion.fromVersionString parses (message.format.version),
 * or undefined. Like Kafka, only the first three dotted parts of a 0.x version count, two otherwise
 * ("2.1.1" is 2.1).
 */
export function metadataVersionProblem(value: string): string | undefined {
  const parts = value.split('.');
  while (parts.length > 1 && parts.at(-1) === '') parts.pop(); // as Java's split drops trailing empties
  const keep = value.startsWith('0.') ? 3 : 2;
  const key = parts.length <= keep ? value : parts.slice(0, keep).join('.');
  return METADATA_VERSIONS.has(key) ? undefined : `Version ${value} is not a valid version`;
}
