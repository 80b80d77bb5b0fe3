// The Kafka clients compat/ takes from the npm registry (compat/clients/package.json, pinned in its lock
// file) rather than from Debian: modern clients that speak Kafka 4.x's versions. They are a package of
// compat's own so the root `npm install` stays small and never depends on them; the compat suite's
// global setup installs them (`npm ci`, skipped while the installed tree matches the lock file).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from '../../test/helpers/run-command.js';

export const CLIENTS_DIR = fileURLToPath(new URL('../clients/', import.meta.url));
const ROOT_DIR = fileURLToPath(new URL('../../', import.meta.url));
/**
 * npm ci of the pinned clients: @confluentinc/kafka-javascript compiles its bundled librdkafka (about
 * 8 minutes measured on 2 busy cores, a minute or two on an idle machine); the rest takes seconds.
 */
const INSTALL_TIMEOUT_MS = 1_200_000;

/** npm writes this copy of the lock it installed; the same lock means nothing to do. */
function installed(): boolean {
  const lock = `${CLIENTS_DIR}package-lock.json`;
  const hidden = `${CLIENTS_DIR}node_modules/.package-lock.json`;
  if (!existsSync(hidden)) return false;
  const wanted = JSON.parse(readFileSync(lock, 'utf8')) as { packages: Record<string, { version?: string }> };
  const have = JSON.parse(readFileSync(hidden, 'utf8')) as { packages: Record<string, { version?: string }> };
  return Object.entries(wanted.packages).every(([path, p]) => path === '' || have.packages[path]?.version === p.version || (p as { optional?: boolean }).optional === true);
}

/**
 * vitest globalSetup: installs compat/clients unless already installed (`npm run compat:install`, which .ci/run
 * starts early). Optional (native) dependencies are left out; CKJS_LINKING=dynamic there makes
 * @confluentinc/kafka-javascript build librdkafka against Debian's zlib, zstd, lz4, OpenSSL and SASL
 * (.ci/install-clients) instead of downloading a prebuilt binary.
 */
export default async function installNpmClients(): Promise<void> {
  if (installed()) return;
  const r = await run('npm', ['run', 'compat:install', '--prefix', ROOT_DIR], '', INSTALL_TIMEOUT_MS);
  if (r.code !== 0) throw new Error(`npm run compat:install failed (${r.code}):\n${r.stderr}`);
}

/**
 * Runs a Node driver beside a test (`new URL('x.mjs', import.meta.url)`) in `mode` with `input` as its JSON
 * argument and returns the JSON it printed. A non-zero exit throws, carrying the driver's stderr.
 */
export async function runNodeJson<T>(script: URL, mode: string, input: unknown, timeoutMs = 110_000): Promise<T> {
  const r = await run(process.execPath, [fileURLToPath(script), mode, JSON.stringify(input)], '', timeoutMs);
  if (r.code !== 0) throw new Error(`${fileURLToPath(script)} ${mode} exited with ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
