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
import type { SaslMechanism } from '../../../../src/kafka/sasl/mechanism.js';
import { PlainMechanism } from '../../../../src/kafka/sasl/plain.js';
import { RequestMetrics } from '../../../../src/metrics/request-metrics.js';
import { TcpServer } from '../../../../src/net/tcp-server.js';
import { FrameReader } from '../../../../src/net/frame-reader.js';
import { apiVersionsHandler } from '../../../../src/kafka/handlers/18-api-versions.js';
import { sizePrefixed } from '../../../helpers/raw-exchange.js';

const plain = new PlainMechanism(new Map([['alice', 'pw'], ['bob', 'pw']]));
const newAuthenticator = (failures = new AuthFailureLimit()) =>
  new SaslAuthenticator(new Map([['PLAIN', plain]]), { maxReceiveBytes: 1024, failureDelayMs: 0, failures, reauthMs: 0 }, '10.0.0.9');
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

  test('raw tokens after handshake v0: a last challenge of null sends no frame, and the connection is authenticated at once', () => {
    // A GSSAPI-like exchange: two tokens, answered synchronously, the last with nothing to send.
    const twoStep: SaslMechanism = {
      name: 'TWO',
      start: () => {
        let seen = 0;
        return { respond: (token) => (++seen === 1 ? { done: false, challenge: Buffer.from('c1') } : { done: true, challenge: null, user: token.toString() }) };
      },
    };
    const a = new SaslAuthenticator(new Map([['TWO', twoStep]]), { maxReceiveBytes: 1024, failureDelayMs: 0, failures: new AuthFailureLimit(), reauthMs: 0 }, '10.0.0.9');
    const sync = (f: Buffer) => {
      const s = a.onFrame(f);
      if (s === SERVE || s instanceof Promise) throw new Error('not answered at once');
      return s;
    };
    expect(decodeResponseFrame(ApiKey.SaslHandshake, 0, Buffer.concat(sync(frame(ApiKey.SaslHandshake, 0, { mechanism: 'TWO' })).reply!)).body.errorCode).toBe(0);
    expect(sync(Buffer.from('t1')).reply).toEqual([Buffer.from('c1')]);
    // kafka-python sends its first request right behind this token: the user must be known already.
    expect(sync(Buffer.from('carol')).reply).toBeNull();
    expect(a.user).toBe('carol');
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

/** A SASL listener serving ApiVersions only, with the given authentication timeout and session lifetime. */
async function saslServer(timeoutMs: number, reauthMs: number) {
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
  const handlers = new HandlerRegistry([apiVersionsHandler as never], { apiVersions: { supported: () => [] }, config: { values: { 'share.version': 0 } } } as never);
  const server = new TcpServer({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 10,
    maxConnectionsPerAddress: 10,
    maxFrameBytes: 1 << 20,
    log,
    accept: (socket, frames) =>
      serveKafkaConnection(socket, frames, {
        handlers,
        requests: new RequestMetrics(),
        maxInFlight: 10,
        log,
        listener: 'SASL_PLAINTEXT',
        sasl: { mechanisms: new Map([['PLAIN', plain]]), policy: { maxReceiveBytes: 1024, failureDelayMs: 0, failures: new AuthFailureLimit(), reauthMs }, timeoutMs },
      }),
  });
  return { server, lines, port: await server.listen() };
}

/** Sends one frame at a time over `port`, resolving with the answer or null once the server closed. */
async function client(port: number) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const reader = new FrameReader(1 << 20);
  const waiting: Array<(f: Buffer | null) => void> = [];
  reader.sink = { frame: (f) => waiting.shift()?.(Buffer.from(f)), invalid: () => socket.destroy() };
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.on('close', () => waiting.splice(0).forEach((w) => w(null)));
  await new Promise((resolve) => socket.once('connect', resolve));
  return {
    socket,
    send: (f: Buffer) => new Promise<Buffer | null>((resolve) => { waiting.push(resolve); socket.write(sizePrefixed(f)); }),
  };
}

test('a connection that does not authenticate within the timeout is closed', async () => {
  const { server, lines, port } = await saslServer(100, 0);
  try {
    const { socket } = await client(port);
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(lines.some((l) => l.includes('SASL authentication not completed in time'))).toBe(true);
  } finally {
    await server.close(0);
  }
});

test('KIP-368: v1 clients are told the session lifetime, may re-authenticate as themselves, and are closed once it has passed', async () => {
  // A lifetime long enough that a loaded machine cannot let it pass between two requests of the test.
  const { server, lines, port } = await saslServer(10_000, 1_500);
  try {
    const c = await client(port);
    const login = async () => {
      await c.send(frame(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }));
      return decodeResponseFrame(ApiKey.SaslAuthenticate, 1, (await c.send(frame(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('\0alice\0pw') })))!).body;
    };
    expect(await login()).toMatchObject({ errorCode: 0, sessionLifetimeMs: 1_500 });
    expect(await c.send(frame(ApiKey.ApiVersions, 0, {}))).not.toBeNull();
    // Re-authenticating on the same connection starts a new session.
    expect(await login()).toMatchObject({ errorCode: 0, sessionLifetimeMs: 1_500 });
    await new Promise((r) => setTimeout(r, 1_700));
    expect(await c.send(frame(ApiKey.ApiVersions, 0, {}))).toBeNull();
    expect(lines.some((l) => l.includes('SASL session expired'))).toBe(true);
    // Re-authenticating as someone else closes the connection.
    const other = await client(port);
    await other.send(frame(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }));
    await other.send(frame(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('\0alice\0pw') }));
    await other.send(frame(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }));
    expect(await other.send(frame(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('\0bob\0pw') }))).toBeNull();
    expect(lines.some((l) => l.includes('re-authentication named another principal'))).toBe(true);
  } finally {
    await server.close(0);
  }
});
