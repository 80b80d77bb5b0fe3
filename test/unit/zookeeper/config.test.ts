import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/schema.js';
import { DEFAULT_FOUR_LETTER_WORDS, parseZooCfg } from '../../../src/zookeeper/config.js';

describe('zoo.cfg', () => {
  it('reads ZooKeeper’s keys with their defaults and derived session timeouts', () => {
    const { config, unknownKeys } = parseZooCfg(
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
    expect(unknownKeys).toEqual(['admin.enableServer']);
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
});
