import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/schema.js';
import { DEFAULT_FOUR_LETTER_WORDS, parseZooCfg } from '../../../src/zookeeper/config.js';
import type { ConfigFiles } from '../../../src/zookeeper/ensemble-config.js';

const files = (contents: Record<string, string>): ConfigFiles => ({ read: (path) => contents[path] });

describe('zoo.cfg', () => {
  it('reads ZooKeeper’s keys with their defaults and derived session timeouts', () => {
    const { config, unusedKeys } = parseZooCfg(
      [
        'tickTime=2000',
        'dataDir=/var/zk',
        'clientPort=2182',
        'initLimit=10',
        'syncLimit=5',
        'admin.enableServer=false',
        'autopurge.snapRetainCount=1',
        'autopurge.purgeInterval=24',
      ].join('\n'),
    );
    expect(config).toMatchObject({
      tickTime: 2000,
      dataDir: '/var/zk',
      dataLogDir: '/var/zk',
      clientPort: 2182,
      clientPortAddress: '0.0.0.0',
      maxClientCnxns: 60,
      minSessionTimeout: 4000,
      maxSessionTimeout: 40000,
      snapRetainCount: 3,
      purgeIntervalHours: 24,
      juteMaxBuffer: 0xfffff,
      forceSync: true,
      extendedTypesEnabled: true,
    });
    expect([...config.fourLetterWords].sort()).toEqual([...DEFAULT_FOUR_LETTER_WORDS].sort());
    expect(config).toMatchObject({ reconfigEnabled: false, enforceQuota: false });
    // Ensemble timing keys change nothing on a standalone server: reported, not pretended.
    expect(unusedKeys).toEqual(['initLimit', 'syncLimit', 'admin.enableServer']);
  });

  it('takes explicit timeouts, whitelists, forceSync=no and overrides', () => {
    const { config } = parseZooCfg(
      'minSessionTimeout=100\nmaxSessionTimeout=200\n4lw.commands.whitelist=ruok, cons\nforceSync=no\ndataLogDir=/log',
      ['clientPort=0'],
    );
    expect(config).toMatchObject({ minSessionTimeout: 100, maxSessionTimeout: 200, forceSync: false, clientPort: 0, dataLogDir: '/log' });
    expect([...config.fourLetterWords].sort()).toEqual(['cons', 'ruok', 'srvr']);
    expect(parseZooCfg('4lw.commands.whitelist=*').config.fourLetterWords.size).toBe(13);
  });

  it('names the key of a bad value', () => {
    expect(() => parseZooCfg('tickTime=fast')).toThrow(/tickTime \(line 1\)/);
    expect(() => parseZooCfg('clientPort=70000')).toThrow(ConfigError);
    expect(() => parseZooCfg('minSessionTimeout=5000\nmaxSessionTimeout=10')).toThrow(/minSessionTimeout/);
    expect(() => parseZooCfg('forceSync=maybe')).toThrow(/forceSync/);
  });

  it('parses an ensemble, and a quorum of one when standaloneEnabled=false', () => {
    const three = ['dataDir=/var/zk', 'initLimit=10', 'syncLimit=5', 'server.1=zk1:2888:3888', 'server.2=zk2:2888:3888', 'server.3=zk3:2888:3888;2181'].join('\n');
    const parsed = parseZooCfg(three, [], files({ '/var/zk/myid': '3\n' }));
    expect(parsed.ensemble?.myid).toBe(3);
    expect(parsed.ensemble?.membership).toEqual({ voters: [1, 2, 3], learners: [] });
    const quorumOfOne = parseZooCfg('dataDir=/d\ninitLimit=5\nsyncLimit=2\nserver.1=zk1:2888:3888\nstandaloneEnabled=false', [], files({ '/d/myid': '1' }));
    expect(quorumOfOne.ensemble?.membership).toEqual({ voters: [1], learners: [] });
    expect(() => parseZooCfg('server.1=zk1:2888:3888:leader')).toThrow(/server\.1=zk1:2888:3888:leader: unrecognised peer type "leader"/);
    expect(() => parseZooCfg('server.x=zk1:2888:3888')).toThrow(ConfigError);
  });

  it('says where to write myid when a config naming servers has none', () => {
    expect(() => parseZooCfg('dataDir=/var/zk\nserver.1=zk1:2888:3888\nserver.2=zk2:2888:3888\nserver.3=zk3:2888:3888')).toThrow(
      new ConfigError("dataDir=/var/zk has no myid file: write this server's id (one of 1, 2, 3 from server.N) to /var/zk/myid"),
    );
  });

  it('runs one participant standalone, as ZooKeeper does with standaloneEnabled, reporting the line as unused', () => {
    const parsed = parseZooCfg('server.1=[::1]:2888:3888:participant;127.0.0.1:2181\nstandaloneEnabled=true\nreadonlymode.enabled=true');
    expect(parsed.ensemble).toBeNull();
    expect(parsed.unusedKeys).toEqual(['server.1', 'readonlymode.enabled']);
  });

  it('reads reconfigEnabled and enforceQuota under both of its names', () => {
    expect(parseZooCfg('reconfigEnabled=true\nenforceQuota=true').config).toMatchObject({ reconfigEnabled: true, enforceQuota: true });
    expect(parseZooCfg('zookeeper.enforceQuota=true').config.enforceQuota).toBe(true);
    expect(() => parseZooCfg('reconfigEnabled=yes')).toThrow(/reconfigEnabled/);
  });
});
