// The Docker image's HEALTHCHECK: exits 0 when the node's HTTP listener answers /healthz with 200, 1
// otherwise. A script of its own, not `skein ...`: the check runs every few seconds, and loading the
// whole command line for it would cost more than the check. The slim base image has no curl or wget.
import { get } from 'node:http';

/** A check that hangs counts as failed well before Docker's own --timeout kills it. */
const TIMEOUT_MS = 2000;
const DEFAULT_HTTP_PORT = 8080;

/** The /healthz URL from SKEIN_HTTP_PORT (default 8080, `http.port`'s default for `skein start`). */
function healthzUrl(env: Readonly<Record<string, string | undefined>>): string {
  const port = env.SKEIN_HTTP_PORT ?? String(DEFAULT_HTTP_PORT);
  return `http://127.0.0.1:${port}/healthz`;
}

function checkHealth(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => resolve(false));
  });
}

const url = healthzUrl(process.env);
const healthy = await checkHealth(url);
if (!healthy) process.stderr.write(`unhealthy: ${url} did not answer 200\n`);
process.exit(healthy ? 0 : 1);
