// The HTTP listener (/metrics, /healthz, /readyz, /commands) next to what a command started: it opens
// once the servers run, closes before them, and a port in use stops the start with one line naming the setting.
import type { Logger } from '../logger.js';
import { startProcessHttp, type ProcessParts } from '../http/process-endpoints.js';
import type { Running } from './command.js';
import { startNaming } from './startup-failure.js';

/** Where a client in this process (the console) reaches a server of it listening on `host`. */
export function localAddress(host: string, port: number): string {
  return `${host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host}:${port}`;
}

export interface HttpSetting {
  host: string;
  port: number;
  /** The setting as the operator wrote it, for a failure's message (`--http-port=8080`, `http.port=8080`). */
  setting: string;
}

/** `running` with the HTTP listener's bound port (undefined: none was asked for). */
export interface RunningWithHttp extends Running {
  readonly httpPort: number | undefined;
}

export async function withHttp(running: Running, http: HttpSetting | undefined, parts: ProcessParts, log: Logger): Promise<RunningWithHttp> {
  if (http === undefined) return { httpPort: undefined, stop: () => running.stop() };
  let listener;
  try {
    listener = await startNaming({ listener: http.setting, dirs: [] }, () => startProcessHttp(http, parts, log));
  } catch (err) {
    await running.stop();
    throw err;
  }
  const open = listener;
  // The other brokers' consoles sum this broker's traffic into their cluster charts; without it they say it is unreachable.
  await parts.broker?.cluster?.membership.advertiseHttp(http.host, open.port).catch((err: unknown) => log.warn({ err }, 'could not tell the cluster where the HTTP listener is'));
  return {
    httpPort: open.port,
    async stop() {
      await open.close();
      await running.stop();
    },
  };
}
