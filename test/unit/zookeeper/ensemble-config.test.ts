import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/schema.js';
import { parseZooCfg } from '../../../src/zookeeper/config.js';
import { DISK_FILES, parseServerLine, versionFromFilename, type ConfigFiles } from '../../../src/zookeeper/ensemble-config.js';

const files = (contents: Record<string, string>): ConfigFiles => ({ read: (path) => contents[path] });
const BASE = ['dataDir=/var/zk', 'tickTime=2000', 'initLimit=10', 'syncLimit=5'];
const THREE = ['server.1=zk1:2888:3888', 'server.2=zk2:2888:3888', 'server.3=zk3:2888:3888'];

function parse(lines: readonly string[], disk: Record<string, string> = { '/var/zk/myid': '2\n' }) {
  return parseZooCfg([...BASE, ...lines].join('\n'), [], files(disk));
}

describe('server.N lines', () => {
  it('reads host, ports, role and client address, with IPv6 in brackets', () => {
    expect(parseServerLine('server.1', 'zk1:2888:3888', 254)).toEqual({
      id: 1,
      role: 'participant',
      quorum: { host: 'zk1', port: 2888 },
      electionPort: 3888,
      client: null,
    });
    expect(parseServerLine('server.7', '[::1]:2888:3888:Observer;[::1]:2181', 254)).toEqual({
      id: 7,
      role: 'observer',
      quorum: { host: '::1', port: 2888 },
      electionPort: 3888,
      client: { host: '::1', port: 2181 },
    });
    expect(parseServerLine('server.2', '10.0.0.2:2888:3888:participant;2182', 254).client).toEqual({ host: '0.0.0.0', port: 2182 });
  });

  it.each([
    ['server.0', 'zk:1:2', /not from 1 to 254/],
    ['server.255', 'zk:1:2', /not from 1 to 254/],
    ['server.a', 'zk:1:2', /numeric id/],
    ['server.1', 'zk:2888', /expected host:quorumPort:electionPort/],
    ['server.1', 'zk:1:2:observer:x', /expected host:quorumPort:electionPort/],
    ['server.1', 'zk:2888:2888', /quorum and election ports must differ/],
    ['server.1', 'zk:2888:70000', /"70000" is not a port/],
    ['server.1', 'zk:2888:3888:leader', /unrecognised peer type "leader"/],
    ['server.1', 'zk:2888:3888;a:b:2181', /client address as port or host:port/],
    ['server.1', 'zk:2888:3888;2181;2182', /expected host/],
    ['server.1', 'zk1:2888:3888|zk2:2888:3888', /multiAddress/],
    ['server.1', '[::1:2888:3888', /never closes/],
    ['server.1', '::1:2888:3888', /expected host/],
    ['server.1', ':2888:3888', /host is empty/],
  ])('refuses %s=%s', (key, value, message) => {
    expect(() => parseServerLine(key, value, 254)).toThrow(message);
    expect(() => parseServerLine(key, value, 254)).toThrow(ConfigError);
  });

  it('allows id 255 only without extended types (TTL nodes use the top session-id byte 0xff)', () => {
    expect(parseServerLine('server.255', 'zk:1:2', 255).id).toBe(255);
  });
});

describe('an ensemble in zoo.cfg', () => {
  it('is parsed into servers, membership, this server and its limits', () => {
    const { ensemble, warnings, config, unusedKeys } = parse([...THREE, 'server.4=zk4:2888:3888:observer', 'readonlymode.enabled=true', 'admin.enableServer=false']);
    expect(warnings).toEqual([]);
    expect(unusedKeys).toEqual(['admin.enableServer']);
    expect(config.tickTime).toBe(2000);
    expect(ensemble).toMatchObject({
      myid: 2,
      me: { id: 2, role: 'participant', quorum: { host: 'zk2', port: 2888 } },
      membership: { voters: [1, 2, 3], learners: [4] },
      version: 0n,
      dynamicConfigFile: null,
      initLimit: 10,
      syncLimit: 5,
      readOnlyModeEnabled: true,
    });
    expect(ensemble!.servers.map((s) => s.id)).toEqual([1, 2, 3, 4]);
  });

  it("takes this server's client address from its line, or zoo.cfg's, and refuses two that disagree", () => {
    const fromLine = parse(['server.1=zk1:2888:3888;2181', 'server.2=zk2:2888:3888;127.0.0.2:2182', 'server.3=zk3:2888:3888']);
    expect(fromLine.ensemble!.me.client).toEqual({ host: '127.0.0.2', port: 2182 });
    expect(fromLine.config).toMatchObject({ clientPort: 2182, clientPortAddress: '127.0.0.2' });
    expect(parse(['clientPort=2185', ...THREE]).ensemble!.me.client).toEqual({ host: '0.0.0.0', port: 2185 });
    // A wildcard clientPortAddress agrees with any host on the same port.
    expect(parse(['clientPort=2182', 'server.1=zk1:1:2', 'server.2=zk2:1:2;127.0.0.2:2182', 'server.3=zk3:1:2']).ensemble!.me.client!.port).toBe(2182);
    expect(() => parse(['clientPort=2181', 'server.1=zk1:1:2', 'server.2=zk2:1:2;2182', 'server.3=zk3:1:2'])).toThrow(
      /server\.2 gives client address 0\.0\.0\.0:2182 but zoo\.cfg's clientPortAddress\/clientPort say 0\.0\.0\.0:2181: give it in one place/,
    );
    expect(() =>
      parse(['clientPort=2182', 'clientPortAddress=127.0.0.9', 'server.1=zk1:1:2', 'server.2=zk2:1:2;127.0.0.2:2182', 'server.3=zk3:1:2']),
    ).toThrow(/give it in one place/);
  });

  it('refuses repeated ids and addresses two servers claim', () => {
    expect(() => parse([...THREE, 'server.02=zk9:2888:3888'])).toThrow('server.02: server id 2 is listed twice');
    expect(() => parse(['server.1=zk1:2888:3888', 'server.2=zk1:2888:3999', 'server.3=zk3:2888:3888'])).toThrow(
      "server.2: zk1:2888 is both its quorum address and server.1's quorum address",
    );
    expect(() => parse(['server.1=h:2888:3888', 'server.2=H:3888:4888', 'server.3=zk3:2888:3888'])).toThrow(/h:3888 is both its quorum address and server\.1's election address/i);
    expect(() => parse(['server.1=a:1:2;127.0.0.1:5', 'server.2=b:1:2;127.0.0.1:5', 'server.3=c:1:2'])).toThrow(/127\.0\.0\.1:5 is both its client address/);
    // Servers on different hosts all serving clients on 0.0.0.0:2181 is the usual layout.
    expect(parse(['server.1=a:1:2;2181', 'server.2=b:1:2;2181', 'server.3=c:1:2;2181']).ensemble).not.toBeNull();
  });

  it('refuses observers without a quorum and a quorum without participants', () => {
    expect(() => parse(['server.1=zk1:2888:3888:observer'])).toThrow(/observers without participants/);
    expect(() => parse(['server.1=zk1:2888:3888', 'server.2=zk2:2888:3888:observer'])).toThrow(/observers without a quorum/);
    expect(() => parse(['standaloneEnabled=false'])).toThrow(/standaloneEnabled=false needs at least one participant/);
    // With standaloneEnabled=false, one participant and an observer are a quorum.
    expect(parse(['standaloneEnabled=false', 'server.1=zk1:1:2', 'server.2=zk2:1:2:observer']).ensemble!.membership).toEqual({ voters: [1], learners: [2] });
  });

  it('warns, as ZooKeeper does, about ensembles that tolerate no failure or have an even number of voters', () => {
    expect(parse(['server.1=zk1:1:2', 'server.2=zk2:1:2']).warnings).toEqual(['2 participants tolerate no server failure: an ensemble needs at least 3']);
    expect(parse([...THREE, 'server.4=zk4:1:2']).warnings).toEqual(['4 participants tolerate no more failures than 3: consider an odd number']);
    expect(parse([...THREE, 'peerType=observer']).warnings).toEqual(["peerType=observer differs from server.2's role participant: the server list wins"]);
    expect(() => parse([...THREE, 'peerType=leader'])).toThrow(/peerType \(line \d+\): expected participant or observer/);
  });

  it('needs initLimit and syncLimit, as ZooKeeper does', () => {
    const text = ['dataDir=/var/zk', ...THREE].join('\n');
    expect(() => parseZooCfg(text, [], files({ '/var/zk/myid': '1' }))).toThrow(/^initLimit is not set: an ensemble needs it/);
    expect(() => parseZooCfg(`${text}\ninitLimit=5`, [], files({ '/var/zk/myid': '1' }))).toThrow(/^syncLimit is not set/);
  });
});

describe('myid', () => {
  it('is the first line, digits only, and one of the servers', () => {
    expect(parse(THREE, { '/var/zk/myid': '3' }).ensemble!.myid).toBe(3);
    expect(parse(THREE, { '/var/zk/myid': '1\r\nignored' }).ensemble!.myid).toBe(1);
    expect(() => parse(THREE, { '/var/zk/myid': ' 1\n' })).toThrow(
      `/var/zk/myid starts with " 1", not a server id: write this server's id (one of 1, 2, 3 from server.N) alone on its first line`,
    );
    expect(() => parse(THREE, { '/var/zk/myid': '' })).toThrow(/starts with "", not a server id/);
    expect(() => parse(THREE, { '/var/zk/myid': '4\n' })).toThrow(
      "/var/zk/myid says 4, which is not a server of this ensemble: write this server's id (one of 1, 2, 3 from server.N) to it",
    );
    expect(() => parse(THREE, {})).toThrow("dataDir=/var/zk has no myid file: write this server's id (one of 1, 2, 3 from server.N) to /var/zk/myid");
  });

  it('is not needed by a standalone server, and a stray one is not read', () => {
    expect(parse(['server.1=zk1:1:2'], { '/var/zk/myid': 'garbage' }).ensemble).toBeNull();
  });

  const dir = mkdtempSync(join(tmpdir(), 'skein-myid-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read from the disk, and a directory named myid counts as missing', () => {
    const text = [`dataDir=${dir}`, 'initLimit=5', 'syncLimit=2', ...THREE].join('\n');
    mkdirSync(join(dir, 'myid'));
    expect(() => parseZooCfg(text, [], DISK_FILES)).toThrow(`dataDir=${dir} has no myid file`);
    rmSync(join(dir, 'myid'), { recursive: true });
    writeFileSync(join(dir, 'myid'), '2\n');
    expect(parseZooCfg(text, [], DISK_FILES).ensemble!.myid).toBe(2);
  });
});

describe('dynamicConfigFile', () => {
  const STATIC = [...BASE, 'dynamicConfigFile=/etc/zk/zoo.cfg.dynamic.100000003'];
  const dyn = (text: string, extra: Record<string, string> = {}) =>
    files({ '/var/zk/myid': '1', '/etc/zk/zoo.cfg.dynamic.100000003': text, ...extra });

  it('holds the server lines; the hex suffix of its name is the version', () => {
    const { ensemble, unusedKeys } = parseZooCfg(STATIC.join('\n'), [], dyn(THREE.join('\n')));
    expect(unusedKeys).toEqual([]);
    expect(ensemble).toMatchObject({ myid: 1, version: 0x1_0000_0003n, dynamicConfigFile: '/etc/zk/zoo.cfg.dynamic.100000003' });
    expect(ensemble!.servers).toHaveLength(3);
    expect(versionFromFilename('/etc/zk/zoo.cfg.dynamic')).toBe(0n);
    expect(versionFromFilename('zoo.cfg.dynamic.ffffffffffffffff')).toBe(0xffff_ffff_ffff_ffffn);
    expect(versionFromFilename('/etc/zk.d/dynamic')).toBe(0n);
  });

  it('refuses server lines in zoo.cfg beside it, a version inside it, other keys in it, and a missing file', () => {
    expect(() => parseZooCfg([...STATIC, 'server.1=zk1:1:2'].join('\n'), [], dyn(THREE.join('\n')))).toThrow(
      'server.1: must be in the dynamic config file /etc/zk/zoo.cfg.dynamic.100000003, not in zoo.cfg',
    );
    expect(() => parseZooCfg(STATIC.join('\n'), [], dyn(`${THREE.join('\n')}\nversion=100000003`))).toThrow(/line 4\): the version belongs in the file name/);
    expect(() => parseZooCfg(STATIC.join('\n'), [], dyn(`${THREE.join('\n')}\ntickTime=5`))).toThrow(/tickTime does not belong in a dynamic config file/);
    expect(() => parseZooCfg(STATIC.join('\n'), [], dyn(`${THREE.join('\n')}\ngroup.1=1:2:3`))).toThrow(/hierarchical quorums/);
    expect(() => parseZooCfg(STATIC.join('\n'), [], files({}))).toThrow('dynamicConfigFile=/etc/zk/zoo.cfg.dynamic.100000003: no such file');
  });
});
