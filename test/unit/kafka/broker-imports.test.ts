// Handlers and the broker's parts see narrow services (src/kafka/services.ts), never the Broker that
// assembles them. Only the command line, which starts brokers, imports broker.ts: anything else doing so
// would bring back the type cycle broker -> handlers -> broker that issue #9 removed.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BROKER = join(ROOT, 'src/kafka/broker.ts');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The files a source imports (type-only imports included: they make type cycles too), as .ts paths. */
function importsOf(file: string): string[] {
  const specifiers = [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

test('only the command line imports broker.ts', () => {
  const importers = sources(join(ROOT, 'src'))
    .filter((file) => importsOf(file).includes(BROKER))
    .map((file) => relative(ROOT, file));
  expect(importers.length).toBeGreaterThan(0);
  expect(importers.filter((file) => !file.startsWith('src/cli/'))).toEqual([]);
});
