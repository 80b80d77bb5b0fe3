// The one HTTP listener of a Skein process: /metrics (Prometheus text), /healthz, /readyz, on a
// ZooKeeper server the AdminServer's /commands/<name>, and on `skein start` the web console (/, /api/...). It shares the event loop with the broker, so
// every request is bounded work: a scrape walks at most PARTITION_SERIES_MAX series, concurrent scrapes
// share one rendering, connections and header sizes are capped, and slow clients are timed out.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { ServerView } from '../zookeeper/four-letter-words.js';
import type { ConsoleHandler } from '../console/console-api.js';
import { ADMIN_COMMAND_NAMES, runAdminCommand } from './admin-commands.js';
import type { ReadinessCheck } from './readiness.js';

/** Open HTTP connections at most: scrapers and probes are few; more is a misbehaving client. */
export const HTTP_CONNECTIONS_MAX = 64;
/** Request line and headers: a probe or scrape sends a few hundred bytes. */
export const HTTP_HEADER_BYTES_MAX = 8192;
/** A client must send its whole request within this. */
export const HTTP_REQUEST_TIMEOUT_MS = 10_000;
/** An idle kept-alive connection is closed after this (Prometheus scrapes every 15 s by default and reconnects cheaply). */
export const HTTP_KEEP_ALIVE_MS = 5_000;

export interface HttpEndpoints {
  readonly registry: Registry;
  /** Set on a process that serves ZooKeeper: /commands/<name> answers about it. */
  readonly zookeeper?: ServerView | undefined;
  readiness(): Promise<ReadinessCheck[]>;
  /** Set where the web console is served: / and /api/... are its. */
  readonly console?: ConsoleHandler | undefined;
}

export interface HttpListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
}

export interface RunningHttp {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const json = (res: ServerResponse, status: number, value: unknown): void => send(res, status, 'application/json', `${JSON.stringify(value)}\n`);

export async function startHttp(options: HttpListenerOptions, endpoints: HttpEndpoints): Promise<RunningHttp> {
  const { log } = options;
  // Scrapes arriving while one renders wait for it and get the same text.
  let rendering: Promise<string> | undefined;
  const render = (): Promise<string> =>
    (rendering ??= endpoints.registry.metrics().finally(() => {
      rendering = undefined;
    }));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return json(res, 400, { error: 'malformed request target' });
    }
    const web = endpoints.console;
    if (web?.owns(path)) return web.handle(req, res, new URL(req.url ?? '/', 'http://localhost'));
    // A body is never read outside the console: drain it so the connection can be reused, without holding it in memory.
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(res, 405, { error: `method ${req.method} not allowed` });
    }
    if (path === '/metrics') return send(res, 200, endpoints.registry.contentType, await render());
    if (path === '/healthz') return json(res, 200, { status: 'up' });
    if (path === '/readyz') {
      const checks = await endpoints.readiness();
      const ready = checks.every((c) => c.ok);
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
    }
    const zk = endpoints.zookeeper;
    if (zk && (path === '/commands' || path === '/commands/')) {
      const links = ADMIN_COMMAND_NAMES.map((n) => `<a href="/commands/${n}">${n}</a>\n<br/>\n`).join('');
      return send(res, 200, 'text/html', links);
    }
    if (zk && path.startsWith('/commands/')) {
      return send(res, 200, 'application/json', runAdminCommand(path.slice('/commands/'.length), zk));
    }
    return json(res, 404, { error: `no such path: ${path}` });
  }

  const server: Server = createServer(
    { maxHeaderSize: HTTP_HEADER_BYTES_MAX, requestTimeout: HTTP_REQUEST_TIMEOUT_MS, headersTimeout: HTTP_REQUEST_TIMEOUT_MS, keepAliveTimeout: HTTP_KEEP_ALIVE_MS },
    (req, res) => {
      route(req, res).catch((err: unknown) => {
        log.error({ err, url: req.url }, 'HTTP request failed');
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    },
  );
  server.maxConnections = HTTP_CONNECTIONS_MAX;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'HTTP listener error'));
  const port = (server.address() as AddressInfo).port;
  const paths = [...(endpoints.console ? ['/ (console)'] : []), '/metrics', '/healthz', '/readyz', ...(endpoints.zookeeper ? ['/commands'] : [])];
  log.info({ http: `${options.host}:${port}`, paths }, 'HTTP listener for metrics and health');
  return {
    port,
    async close() {
      // The console's event streams end first: server.close() waits for open responses.
      await endpoints.console?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
