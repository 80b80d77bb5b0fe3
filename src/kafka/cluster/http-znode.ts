// Where a Skein broker's HTTP listener (its console and /metrics) can be reached, for the other brokers'
// consoles: an ephemeral znode of Skein's own, /skein/http/<broker id>, beside Kafka's tree rather than in
// /brokers/ids/<id>, because the registration is written before the HTTP listener has its port (http.port=0)
// and rewriting it would look like a changed broker to every controller watching it. Apache Kafka never
// reads /skein. It lives and dies with the broker's session, as the registration does.

/** Parent of every broker's HTTP endpoint znode. */
export const SKEIN_HTTP_PATH = '/skein/http';

export function skeinHttpPath(brokerId: number): string {
  return `${SKEIN_HTTP_PATH}/${brokerId}`;
}

export interface HttpEndpoint {
  readonly host: string;
  readonly port: number;
}

/** An endpoint znode's data is read up to this (a host name is at most 253 characters). */
export const HTTP_ZNODE_BYTES_MAX = 1024;

export class HttpZnodeFormatError extends Error {
  override readonly name = 'HttpZnodeFormatError';
}

export function encodeHttpEndpoint(e: HttpEndpoint): Buffer {
  return Buffer.from(JSON.stringify({ version: 1, host: e.host, port: e.port }), 'utf8');
}

/** Any znode's bytes: written by anyone who may write /skein, so checked before a console connects anywhere. */
export function decodeHttpEndpoint(bytes: Buffer | null): HttpEndpoint {
  if (bytes === null || bytes.length > HTTP_ZNODE_BYTES_MAX) throw new HttpZnodeFormatError('HTTP endpoint znode is empty or too large');
  let o: unknown;
  try {
    o = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HttpZnodeFormatError('HTTP endpoint znode is not JSON');
  }
  const { version, host, port } = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
  if (version !== 1) throw new HttpZnodeFormatError(`HTTP endpoint znode has unsupported version ${String(version)}`);
  if (typeof host !== 'string' || !/^[A-Za-z0-9.:_-]{1,253}$/.test(host)) throw new HttpZnodeFormatError('HTTP endpoint znode has no valid host');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new HttpZnodeFormatError('HTTP endpoint znode has no valid port');
  return { host, port };
}
