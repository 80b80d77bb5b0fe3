// ACLs through node-zookeeper-client: world, auth, digest, ip and super; NoAuth, InvalidACL and
// AuthFailed where ZooKeeper returns them.
import zookeeper, { type Client, type Stat } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/zookeeper/acl.js';
import { call, nodeClient, startTestServer, until, type TestServer } from './harness.js';

const { ACL, Id, Permission, CreateMode, Exception } = zookeeper;

let server: TestServer;
let alice: Client;
let bob: Client;

beforeAll(async () => {
  server = await startTestServer({ superDigest: digestOf('root:toor') });
  alice = await nodeClient(server.port);
  bob = await nodeClient(server.port);
  alice.addAuthInfo('digest', Buffer.from('alice:secret'));
});
afterAll(async () => {
  alice.close();
  bob.close();
  await server.destroy();
});

const create = (c: Client, path: string, acls: InstanceType<typeof ACL>[]) =>
  call<string>((cb) => c.create(path, Buffer.from('data'), acls, CreateMode.PERSISTENT, cb));
const read = (c: Client, path: string) =>
  new Promise<string>((resolve, reject) => c.getData(path, undefined, (e, d) => (e ? reject(e) : resolve(d.toString()))));
const write = (c: Client, path: string) => call<Stat>((cb) => c.setData(path, Buffer.from('x'), -1, cb));
const getACL = (c: Client, path: string) =>
  new Promise<InstanceType<typeof ACL>[]>((resolve, reject) =>
    c.getACL(path, (e, acls) => (e ? reject(e) : resolve(acls))),
  );
const aliceDigest = digestOf('alice:secret');

describe('ACLs', () => {
  it('computes digest ids as user:base64(sha1(user:password))', () => {
    expect(digestOf('super:test')).toBe('super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
  });

  it('guards a digest-protected node until the right credentials are added', async () => {
    await create(alice, '/alice', [new ACL(Permission.ALL, new Id('digest', aliceDigest))]);
    expect(await read(alice, '/alice')).toBe('data');
    await expect(read(bob, '/alice')).rejects.toMatchObject({ code: Exception.NO_AUTH });
    await expect(write(bob, '/alice')).rejects.toMatchObject({ code: Exception.NO_AUTH });
    const other = await nodeClient(server.port);
    other.addAuthInfo('digest', Buffer.from('alice:secret'));
    expect(await read(other, '/alice')).toBe('data');
    other.close();
  });

  it('expands the auth scheme into the creator’s digest identity', async () => {
    await create(alice, '/mine', ACL.CREATOR_ALL_ACL);
    const acls = await getACL(alice, '/mine');
    expect(acls.map((a) => [a.permission, a.id.scheme, a.id.id])).toEqual([[Permission.ALL, 'digest', aliceDigest]]);
  });

  it('refuses invalid ACLs and auth-scheme ACLs from unauthenticated clients', async () => {
    await expect(create(bob, '/bad1', ACL.CREATOR_ALL_ACL)).rejects.toMatchObject({ code: Exception.INVALID_ACL });
    await expect(create(bob, '/bad2', [new ACL(Permission.ALL, new Id('digest', 'nocolon'))])).rejects.toMatchObject({
      code: Exception.INVALID_ACL,
    });
    await expect(create(bob, '/bad3', [new ACL(Permission.ALL, new Id('ip', '300.1.1.1'))])).rejects.toMatchObject({
      code: Exception.INVALID_ACL,
    });
    await expect(create(bob, '/bad4', [new ACL(Permission.ALL, new Id('world', 'someone'))])).rejects.toMatchObject({
      code: Exception.INVALID_ACL,
    });
  });

  it('matches ip ACLs against the client address, with prefixes', async () => {
    await create(bob, '/local', [new ACL(Permission.ALL, new Id('ip', '127.0.0.0/8'))]);
    expect(await read(bob, '/local')).toBe('data');
    await create(bob, '/remote', [
      new ACL(Permission.ALL, new Id('ip', '10.0.0.0/8')),
      new ACL(Permission.ADMIN, new Id('ip', '127.0.0.1')),
    ]);
    await expect(read(bob, '/remote')).rejects.toMatchObject({ code: Exception.NO_AUTH });
  });

  it('answers exists with the Stat of a node the caller may not read, as ZooKeeper 3.8.0 does; getACL stays refused', async () => {
    await create(alice, '/hidden', [new ACL(Permission.ALL, new Id('digest', aliceDigest))]);
    const stat = await call<Stat | null>((cb) => bob.exists('/hidden', undefined, cb));
    expect(stat).toMatchObject({ dataLength: 4, numChildren: 0 });
    await expect(getACL(bob, '/hidden')).rejects.toMatchObject({ code: Exception.NO_AUTH });
    await expect(read(bob, '/hidden')).rejects.toMatchObject({ code: Exception.NO_AUTH });
    expect(await call<Stat | null>((cb) => bob.exists('/hidden-nowhere', undefined, cb))).toBeNull();
  });

  it('checks each permission: read-only world, CREATE and DELETE on the parent, ADMIN for setACL', async () => {
    await create(alice, '/ro', ACL.READ_ACL_UNSAFE);
    expect(await read(bob, '/ro')).toBe('data');
    await expect(write(bob, '/ro')).rejects.toMatchObject({ code: Exception.NO_AUTH });
    await expect(create(bob, '/ro/kid', ACL.OPEN_ACL_UNSAFE)).rejects.toMatchObject({ code: Exception.NO_AUTH });
    await expect(call<Stat>((cb) => bob.setACL('/ro', ACL.OPEN_ACL_UNSAFE, -1, cb))).rejects.toMatchObject({
      code: Exception.NO_AUTH,
    });
    await create(alice, '/nodelete', [
      new ACL(Permission.READ | Permission.CREATE, new Id('world', 'anyone')),
      new ACL(Permission.ALL, new Id('digest', aliceDigest)),
    ]);
    await create(bob, '/nodelete/kid', ACL.OPEN_ACL_UNSAFE);
    await expect(call((cb) => bob.remove('/nodelete/kid', -1, (e) => cb(e, undefined)))).rejects.toMatchObject({
      code: Exception.NO_AUTH,
    });
    await call((cb) => alice.remove('/nodelete/kid', -1, (e) => cb(e, undefined)));
  });

  it('changes ACLs with aversion checks', async () => {
    await create(alice, '/acl', ACL.OPEN_ACL_UNSAFE);
    const readAndOwner = [
      new ACL(Permission.READ, new Id('world', 'anyone')),
      new ACL(Permission.ALL, new Id('digest', aliceDigest)),
    ];
    const stat = await call<Stat>((cb) => alice.setACL('/acl', readAndOwner, 0, cb));
    expect(stat.aversion).toBe(1);
    await expect(call<Stat>((cb) => alice.setACL('/acl', ACL.OPEN_ACL_UNSAFE, 0, cb))).rejects.toMatchObject({
      code: Exception.BAD_VERSION,
    });
    // Without ADMIN the permission check comes before the version check.
    await expect(call<Stat>((cb) => bob.setACL('/acl', ACL.OPEN_ACL_UNSAFE, 0, cb))).rejects.toMatchObject({
      code: Exception.NO_AUTH,
    });
    expect((await getACL(bob, '/acl')).map((a) => a.permission)).toEqual([Permission.READ, Permission.ALL]);
  });

  it('hides digest hashes from readers without ADMIN', async () => {
    await create(alice, '/masked', [
      new ACL(Permission.READ, new Id('world', 'anyone')),
      new ACL(Permission.ALL, new Id('digest', aliceDigest)),
    ]);
    expect((await getACL(bob, '/masked')).map((a) => a.id.id)).toEqual(['anyone', 'alice:x']);
    expect((await getACL(alice, '/masked')).map((a) => a.id.id)).toEqual(['anyone', aliceDigest]);
  });

  it('lets the super digest do anything', async () => {
    const root = await nodeClient(server.port);
    root.addAuthInfo('digest', Buffer.from('root:toor'));
    expect(await read(root, '/alice')).toBe('data');
    await write(root, '/alice');
    root.close();
  });

  it('keeps /zookeeper/config read-only', async () => {
    await expect(write(alice, '/zookeeper/config')).rejects.toMatchObject({ code: Exception.NO_AUTH });
  });

  it('fails authentication for unknown schemes and drops the connection', async () => {
    const c = await nodeClient(server.port);
    const failed = new Promise<void>((resolve) => c.once('authenticationFailed', () => resolve()));
    c.addAuthInfo('kerberos', Buffer.from('x'));
    await failed;
    await until(() => c.getState() === zookeeper.State.AUTH_FAILED);
    c.close();
  });
});
