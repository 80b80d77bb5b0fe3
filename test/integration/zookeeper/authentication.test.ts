// SASL DIGEST-MD5 logins (opcode 102) and enforce.auth on the wire, with Skein's own connection: the
// challenge ZooKeeper sends, rspauth, the sasl identity in ACLs and whoAmI, the super user, refusals
// that close the connection, and SessionClosedRequireSaslAuth for requests before authentication.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import {
  AuthPacket,
  CreateRequest,
  GetDataResponse,
  GetSASLRequest,
  PathWatchRequest,
  SetSASLResponse,
  WhoAmIResponse,
} from '../../../protocol/zookeeper/records.js';
import { digestMd5Response, digestMd5ResponseAuth, parseDirectives } from '../../../src/security/digest-md5.js';
import { ZooKeeperConnection } from '../../../src/zookeeper/client/connection.js';
import { startTestServer, type TestServer } from './harness.js';

const USERS = new Map([
  ['alice', 'alice_secret'],
  ['super', 'super_secret'],
]);
const WORLD = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

let open: TestServer;
let enforced: TestServer;

beforeAll(async () => {
  [open, enforced] = await Promise.all([
    startTestServer({ auth: { saslUsers: USERS, kerberos: undefined, saslSuperUser: 'super', enforceSchemes: undefined } }),
    startTestServer({ auth: { saslUsers: USERS, kerberos: undefined, saslSuperUser: undefined, enforceSchemes: new Set(['sasl', 'digest']) } }),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.destroy(), enforced?.destroy()]);
});

async function sasl(c: ZooKeeperConnection, token: Buffer): Promise<{ err: number; token: Buffer | null }> {
  const { header, body } = await c.request(OpCode.sasl, GetSASLRequest, { token });
  return { err: header.err, token: header.err === 0 ? SetSASLResponse.read(body).token : null };
}

/** Logs in as `user` the way kazoo's puresasl does; returns the error of the last step (0 on success). */
async function login(c: ZooKeeperConnection, user: string, password: string): Promise<number> {
  const first = await sasl(c, Buffer.alloc(0));
  if (first.err !== 0) return first.err;
  const challenge = parseDirectives(first.token!.toString());
  const params = { username: user, realm: challenge.get('realm')!, password, nonce: challenge.get('nonce')!, cnonce: 'c1', nc: '00000001', qop: 'auth', digestUri: 'zookeeper/zk-sasl-md5', utf8: false };
  const response = `username="${user}",realm="${params.realm}",nonce="${params.nonce}",cnonce="c1",nc=00000001,qop=auth,digest-uri="zookeeper/zk-sasl-md5",response=${digestMd5Response(params)}`;
  const second = await sasl(c, Buffer.from(response));
  if (second.err === 0) expect(second.token!.toString()).toBe(`rspauth=${digestMd5ResponseAuth(params)}`);
  return second.err;
}

const getData = (c: ZooKeeperConnection, path: string) => c.request(OpCode.getData, PathWatchRequest, { path, watch: false });

async function whoAmI(c: ZooKeeperConnection): Promise<string[]> {
  const { body } = await c.request(OpCode.whoAmI);
  return WhoAmIResponse.read(body).clientInfo.map((i) => `${i.authScheme}:${i.user}`);
}

describe('SASL DIGEST-MD5', () => {
  it("challenges as ZooKeeper does, and the login's user is a sasl identity ACLs and whoAmI see", async () => {
    const alice = await ZooKeeperConnection.connect(open.port);
    const first = await sasl(alice, Buffer.alloc(0));
    expect(first.err).toBe(0);
    expect(first.token!.toString()).toMatch(/^realm="zk-sasl-md5",nonce="[A-Za-z0-9+/=]{40}",qop="auth",charset=utf-8,algorithm=md5-sess$/);
    alice.destroy();

    const c = await ZooKeeperConnection.connect(open.port);
    expect(await login(c, 'alice', 'alice_secret')).toBe(0);
    expect(await whoAmI(c)).toEqual(['ip:127.0.0.1', 'sasl:alice']);
    const acl = [{ perms: 31, id: { scheme: 'sasl', id: 'alice' } }];
    expect((await c.request(OpCode.create, CreateRequest, { path: '/alice', data: Buffer.from('hers'), acl, flags: 0 })).header.err).toBe(0);
    expect(GetDataResponse.read((await getData(c, '/alice')).body).data).toEqual(Buffer.from('hers'));
    c.destroy();

    const anonymous = await ZooKeeperConnection.connect(open.port);
    expect((await getData(anonymous, '/alice')).header.err).toBe(ErrorCode.noAuth);
    anonymous.destroy();

    const root = await ZooKeeperConnection.connect(open.port);
    expect(await login(root, 'super', 'super_secret')).toBe(0);
    expect((await getData(root, '/alice')).header.err).toBe(0);
    root.destroy();
  });

  it('answers a wrong password, an unknown user or a garbage token with AuthFailed and closes the connection', async () => {
    for (const attempt of [
      (c: ZooKeeperConnection) => login(c, 'alice', 'wrong'),
      (c: ZooKeeperConnection) => login(c, 'mallory', 'alice_secret'),
      async (c: ZooKeeperConnection) => (await sasl(c, Buffer.alloc(0))).err || (await sasl(c, Buffer.from('\u0000=,"'))).err,
    ]) {
      const c = await ZooKeeperConnection.connect(open.port);
      expect(await attempt(c)).toBe(ErrorCode.authFailed);
      await c.closed;
    }
    const still = await ZooKeeperConnection.connect(open.port);
    expect((await getData(still, '/')).header.err).toBe(0);
    still.destroy();
  });
});

describe('enforce.auth', () => {
  it('answers a request before authentication with SessionClosedRequireSaslAuth and closes', async () => {
    const c = await ZooKeeperConnection.connect(enforced.port);
    expect((await getData(c, '/')).header.err).toBe(ErrorCode.sessionClosedRequireSaslAuth);
    await c.closed;
  });

  it('lets a connection authenticated with an enforced scheme through (sasl, digest)', async () => {
    const viaSasl = await ZooKeeperConnection.connect(enforced.port);
    expect(await login(viaSasl, 'alice', 'alice_secret')).toBe(0);
    expect((await getData(viaSasl, '/')).header.err).toBe(0);
    viaSasl.destroy();
    const viaDigest = await ZooKeeperConnection.connect(enforced.port);
    await viaDigest.request(OpCode.auth, AuthPacket, { type: 0, scheme: 'digest', auth: Buffer.from('bob:pw') }, -4);
    expect((await getData(viaDigest, '/')).header.err).toBe(0);
    viaDigest.destroy();
  });

  it('answers a failed SASL login with SessionClosedRequireSaslAuth when sasl is enforced', async () => {
    const c = await ZooKeeperConnection.connect(enforced.port);
    expect(await login(c, 'alice', 'wrong')).toBe(ErrorCode.sessionClosedRequireSaslAuth);
    await c.closed;
  });
});

