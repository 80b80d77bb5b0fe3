// A configuration as the layers that make it, each entry naming where it came from: the file, then the
// environment (KAFKA_CFG_* / ZOO_CFG_*), then --override, so the last entry for a key wins and the
// precedence is file < environment < --override. The servers read the entries; `skein config show`
// also prints their sources.
import { kafkaEnvSettings, zooEnvSettings, type Environment } from './env-config.js';
import { parseProperties, type PropertyLine } from './properties.js';
import { parseOverrides } from './schema.js';

/** `source` is `server.properties:12`, `env KAFKA_CFG_NUM_PARTITIONS` or `--override`. */
export type SourcedLine = PropertyLine & { source: string };

export interface LayerInputs {
  /** The file's text and its path (for the source); absent when there is no file. */
  file?: { text: string; path: string };
  env: Environment;
  overrides: readonly string[];
}

function layered(inputs: LayerInputs, envLines: readonly (PropertyLine & { variable: string })[]): SourcedLine[] {
  const file = inputs.file;
  return [
    ...(file ? parseProperties(file.text).map((l) => ({ ...l, source: `${file.path}:${l.line}` })) : []),
    ...envLines.map(({ key, value, line, variable }) => ({ key, value, line, source: `env ${variable}` })),
    ...parseOverrides(inputs.overrides).map((l) => ({ ...l, source: '--override' })),
  ];
}

/** server.properties entries: the file's, then KAFKA_CFG_*, then --override. */
export function kafkaLayers(inputs: LayerInputs): SourcedLine[] {
  return layered(inputs, kafkaEnvSettings(inputs.env));
}

/** zoo.cfg entries: the file's, then ZOO_CFG_* (matched against `knownKeys`), then --override. */
export function zooLayers(inputs: LayerInputs, knownKeys: Iterable<string>): SourcedLine[] {
  return layered(inputs, zooEnvSettings(inputs.env, knownKeys));
}
