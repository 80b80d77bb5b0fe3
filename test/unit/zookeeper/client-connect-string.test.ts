// The client's connection string: servers, default port, IPv6, chroot, and the order servers are tried in.
import { describe, expect, it } from 'vitest';
import { Chroot, HostList, parseConnectString } from '../../../src/zookeeper/client/connect-string.js';

describe('parseConnectString', () => {
  it('reads servers, a default port, bracketed IPv6 and a chroot', () => {
    expect(parseConnectString('a:1, b ,[::1]:3/app/x')).toEqual({
      servers: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2181 },
        { host: '::1', port: 3 },
      ],
      chroot: '/app/x',
    });
    expect(parseConnectString('a:1/').chroot).toBe('');
  });

  it('refuses no servers, bad ports and bad chroots', () => {
    expect(() => parseConnectString('')).toThrow('no servers');
    expect(() => parseConnectString('a:0')).toThrow('bad server');
    expect(() => parseConnectString('a:x')).toThrow('bad server');
    expect(() => parseConnectString('[::1')).toThrow('unclosed');
    expect(() => parseConnectString('a:1/app/')).toThrow('invalid chroot');
    expect(() => parseConnectString('a:1/app//b')).toThrow('invalid chroot');
  });
});

describe('HostList', () => {
  it('shuffles once, then goes round robin and says when a round is done', () => {
    const servers = [1, 2, 3].map((port) => ({ host: 'h', port }));
    const list = new HostList(servers, () => 0);
    const round = [list.next(), list.next(), list.next()].map((s) => s.port);
    expect(round.sort()).toEqual([1, 2, 3]);
    expect(list.roundDone).toBe(true);
    const again = list.next().port;
    expect(list.roundDone).toBe(false);
    expect(again).toBe(new HostList(servers, () => 0).next().port);
  });
});

describe('Chroot', () => {
  it('rewrites paths out and back, leaving the root and outside paths alone', () => {
    const c = new Chroot('/app');
    expect(c.toServer('/')).toBe('/app');
    expect(c.toServer('/x/y')).toBe('/app/x/y');
    expect(c.toClient('/app')).toBe('/');
    expect(c.toClient('/app/x')).toBe('/x');
    expect(c.toClient('/application')).toBe('/application');
    expect(c.contains('/application')).toBe(false);
    expect(new Chroot('').toServer('/x')).toBe('/x');
  });
});
