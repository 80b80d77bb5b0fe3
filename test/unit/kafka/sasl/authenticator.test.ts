// The per-connection SASL state machine: what it takes in which state, what it answers, and when it
// closes; and the connection closing a client that never authenticates.
import { connect } from 'node:net';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { ApiKey, decodeResponseFrame, encodeRequestFrame, ErrorCode, type RequestInputOf } from '../../../../protocol/kafka/index.js';
import { serveKafkaConnection } from '../../../../src/kafka/connection.js';
import { HandlerRegistry } from '../../../../src/kafka/registry.js';
import { SaslAuthenticator, SERVE, type AuthStep } from '../../../../src/kafka/sasl/authenticator.js';
import { AuthFailureLimit, MAX_FAILURES_PER_ADDRESS } from '../../../../src/kafka/sasl/failure-limit.js';
import { PlainMechanism } from '../../../../src/kafka/sasl/plain.js';
import { RequestMetrics } from '../../../../src/metrics/request-metrics.js';
import { TcpServer } from '../../../../src/net/tcp-server.js';

const plain = new PlainMechanism(new Map([['alice', 'pw']]));
const newAuthenticator = (failures = new AuthFailureLimit()) =>
  new SaslAuthenticator(new Map([['PLAIN', plain]]), { maxReceiveBytes: 1024, failureDelayMs: 0, failures }, '10.0.0.9');
const frame = <K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInputOf<K>) =>
  Buffer.concat(encodeRequestFrame({ apiKey, apiVersion, correlationId: 1, clientId: 't' }, body));
const step = async (a: SaslAuthenticator, f: Buffer): Promise<AuthStep> => {
  const s = a.onFrame(f);
  if (s === SERVE) throw new Error('served');
  return s;
};

describe('SaslAuthenticator', () => {
  test('ApiVersions is served, then handshake v1 and SaslAuthenticate name the user', async () => {
    const a = newAuthenticator();
    expect(a.onFrame(frame(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }))).toBe(SERVE);
    const hs = await step(a, frame(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }));
    expect(hs.close).toBeUndefined();
    expect(decodeResponseFrame(ApiKey.SaslHandshake, 1, Buffer.concat(hs.reply!)).body).toEqual({ errorCode: 0, mechanisms: ['PLAIN'] });
    // Once the handshake is done, ApiVersions is no longer taken.
    const auth = await step(a, frame(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('\0alice\0pw') }));
    expect(decodeResponseFrame(ApiKey.SaslAuthenticate, 1, Buffer.concat(auth.reply!)).body).toMatchObject({ errorCode: 0, sessionLifetimeMs: 0 });
    expect(a.user).toBe('alice');
  });

  test.each([
    ['SaslAuthenticate before the handshake', [frame(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('\0alice\0pw') })]],
    ['Metadata before the handshake', [frame(ApiKey.Metadata, 1, { topics: null })]],
    ['ApiVersions after the handshake', [frame(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }), frame(ApiKey.ApiVersions, 0, {})]],
    ['a second handshake', [frame(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }), frame(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })]],
    ['a frame over sasl.server.max.receive.size', [Buffer.alloc(1025)]],
    ['three bytes', [Buffer.from([0, 1, 2])]],
  ])('closes without an answer: %s', async (_name, frames) => {
    const a = newAuthenticator();
    let last: AuthStep | undefined;
    for (const f of frames) last = await step(a, f);
    expect(last!.reply).toBeNull();
    expect(last!.close?.reason).toBeDefined();
    expect(a.user).toBeUndefined();
  });

  test('an address past its failures is refused without its password being checked', async () => {
    const failures = new AuthFailureLimit();
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) failures.record('10.0.0.9');
    const a = newAuthenticator(failures);
    await step(a, frame(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }));
    const refused = await step(a, frame(ApiKey.SaslAuthenticate, 2, { authBytes: Buffer.from('\0alice\0pw') }));
    const body = decodeResponseFrame(ApiKey.SaslAuthenticate, 2, Buffer.concat(refused.reply!)).body;
    expect(body.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(body.errorMessage).toMatch(/too many failed attempts/);
    expect(refused.close).toBeDefined();
    expect(a.user).toBeUndefined();
  });
});

test('a connection that does not authenticate within the timeout is closed', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
  const server = new TcpServer({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 10,
    maxConnectionsPerAddress: 10,
    maxFrameBytes: 1 << 20,
    log,
    accept: (socket, frames) =>
      serveKafkaConnection(socket, frames, {
        handlers: new HandlerRegistry([], {} as never),
        requests: new RequestMetrics(),
        maxInFlight: 10,
        log,
        listener: 'SASL_PLAINTEXT',
        sasl: { mechanisms: new Map([['PLAIN', plain]]), policy: { maxReceiveBytes: 1024, failureDelayMs: 0, failures: new AuthFailureLimit() }, timeoutMs: 100 },
      }),
  });
  const port = await server.listen();
  try {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(lines.some((l) => l.includes('SASL authentication not completed in time'))).toBe(true);
  } finally {
    await server.close(0);
  }
});
