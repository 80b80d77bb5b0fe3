import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerConfigFromText } from '../../../../src/kafka/broker-config.js';
import { KeytabError, parseKeytab, type KeytabEntry } from '../../../../src/security/kerberos/keytab.js';
import { KerberosShortNamer, ShortNameError } from '../../../../src/security/kerberos/short-name.js';
import { initialToken, randomAesKey, wrapFromInitiator } from '../../../helpers/kerberos-initiator.js';

/** An MIT keytab (0x0502) as kadmin's ktadd writes it; a negative size leaves a deleted entry's hole. */
function keytabBytes(entries: KeytabEntry[], hole = 0): Buffer {
  const counted = (s: string | Buffer) => {
    const b = Buffer.from(s);
    const n = Buffer.alloc(2);
    n.writeUInt16BE(b.length);
    return Buffer.concat([n, b]);
  };
  const parts: Buffer[] = [Buffer.from([5, 2])];
  if (hole > 0) {
    const size = Buffer.alloc(4);
    size.writeInt32BE(-hole);
    parts.push(size, Buffer.alloc(hole));
  }
  for (const e of entries) {
    const fixed = Buffer.alloc(2 + 4 + 4 + 1 + 2);
    fixed.writeUInt16BE(e.components.length, 0);
    const tail = Buffer.alloc(4 + 4 + 1 + 2);
    tail.writeUInt32BE(1, 0); // name type
    tail.writeUInt32BE(1_700_000_000, 4);
    tail[8] = e.kvno & 0xff;
    tail.writeUInt16BE(e.etype, 9);
    const wide = Buffer.alloc(4);
    wide.writeUInt32BE(e.kvno);
    const body = Buffer.concat([fixed.subarray(0, 2), counted(e.realm), ...e.components.map(counted), tail, counted(e.key), wide]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    parts.push(size, body);
  }
  return Buffer.concat(parts);
}

const key = randomAesKey();
const entry: KeytabEntry = { components: ['kafka', 'broker1.example'], realm: 'EXAMPLE.COM', kvno: 300, etype: key.etype, key: key.key };

describe('keytab', () => {
  it('reads entries, skipping deleted ones, with the 32-bit key version', () => {
    expect(parseKeytab(keytabBytes([entry, { ...entry, kvno: 2 }], 12))).toEqual([entry, { ...entry, kvno: 2 }]);
  });

  it('refuses other versions and broken files, saying where', () => {
    expect(() => parseKeytab(Buffer.from([5, 1]))).toThrow(/not an MIT keytab of version 0x0502/);
    const whole = keytabBytes([entry]);
    expect(() => parseKeytab(whole.subarray(0, whole.length - 5))).toThrow(/runs past the end/);
    const zeroComponents = Buffer.from(whole);
    zeroComponents.writeUInt16BE(0, 6);
    expect(() => parseKeytab(zeroComponents)).toThrow(KeytabError);
    for (let cut = 2; cut < whole.length; cut += 7) {
      try {
        parseKeytab(whole.subarray(0, cut));
      } catch (err) {
        expect(err).toBeInstanceOf(KeytabError);
      }
    }
  });
});

describe('sasl.kerberos.principal.to.local.rules', () => {
  it('DEFAULT keeps the first component of principals of the default realm only', () => {
    const namer = KerberosShortNamer.parse(['DEFAULT'], 'EXAMPLE.COM');
    expect(namer.shortName(['alice'], 'EXAMPLE.COM')).toBe('alice');
    expect(namer.shortName(['kafka', 'broker1.example'], 'EXAMPLE.COM')).toBe('kafka');
    expect(() => namer.shortName(['alice'], 'OTHER.COM')).toThrow(ShortNameError);
  });

  it('RULE: format, match, sed substitution (once or g) and case, tried in order', () => {
    const namer = KerberosShortNamer.parse(
      'RULE:[1:$1@$0](.*@PARTNER\\.COM)s/@.*//L, RULE:[2:$1](App.*)s/p/P/g/U,RULE:[2:$1_$2]s/\\./-/,DEFAULT',
      'EXAMPLE.COM',
    );
    expect(namer.shortName(['Bob'], 'PARTNER.COM')).toBe('bob');
    expect(namer.shortName(['Appx', 'h'], 'EXAMPLE.COM')).toBe('APPX');
    expect(namer.shortName(['svc', 'h.example'], 'EXAMPLE.COM')).toBe('svc_h-example');
    expect(namer.shortName(['carol'], 'EXAMPLE.COM')).toBe('carol');
  });

  it('refuses non-simple results and malformed rules', () => {
    expect(() => KerberosShortNamer.parse('RULE:[1:$1@$0]', 'R').shortName(['a'], 'R')).toThrow(/non-simple name/);
    expect(() => KerberosShortNamer.parse('RULE:[x:$1]', 'R')).toThrow(/invalid rule/);
    expect(() => KerberosShortNamer.parse('RULE:[1:$1](()', 'R')).toThrow(ShortNameError);
  });
});

describe('the broker\'s GSSAPI listener from server.properties', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skein-keytab-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keytab = join(dir, 'kafka.keytab');
  writeFileSync(keytab, keytabBytes([entry]));
  const config = (jaas: string, extra = '') =>
    brokerConfigFromText(
      'listeners=SASL_PLAINTEXT://127.0.0.1:9093,PLAINTEXT://127.0.0.1:9092\ninter.broker.listener.name=PLAINTEXT\nsasl.enabled.mechanisms=GSSAPI\n' +
        `sasl.kerberos.service.name=kafka\nlistener.name.sasl_plaintext.gssapi.sasl.jaas.config=${jaas}\n${extra}`,
    );
  const krb5 = (options: string) => `com.sun.security.auth.module.Krb5LoginModule required ${options};`;

  it('authenticates a client as its principal\'s short name, and refuses a replay with SASL\'s error', async () => {
    const sasl = config(krb5(`useKeyTab=true storeKey=true keyTab="${keytab}" principal="kafka/broker1.example@EXAMPLE.COM"`), 'sasl.kerberos.principal.to.local.rules=RULE:[1:$1](.*)s/^/krb-/,DEFAULT\n').listeners.find(
      (l) => l.bind.name === 'SASL_PLAINTEXT',
    )!.sasl!;
    expect(sasl.mechanisms).toEqual(['GSSAPI']);
    const exchange = sasl.gssapi!.start();
    const init = initialToken({ serviceKey: key, kvno: 300, service: ['kafka', 'broker1.example'], realm: 'EXAMPLE.COM', nowMs: Date.now() });
    await exchange.respond(init.token);
    await exchange.respond(Buffer.alloc(0));
    const done = await exchange.respond(wrapFromInitiator(init.contextKey, Buffer.from([1, 0, 0, 0]), true));
    expect(done).toEqual({ done: true, challenge: null, user: 'krb-client' });
    // A failure is SASL's refusal, whose message goes to the client.
    await expect(async () => sasl.gssapi!.start().respond(init.token)).rejects.toThrow(/^Authentication failed: GSSAPI: authenticator of client@EXAMPLE.COM was already used/);
  });

  it.each([
    ['a password login', krb5('useKeyTab=false principal="kafka/h@EXAMPLE.COM"'), /needs useKeyTab=true/],
    ['a principal without realm', krb5(`useKeyTab=true keyTab="${keytab}" principal="kafka/broker1.example"`), /needs its realm/],
    ['a principal the keytab lacks', krb5(`useKeyTab=true keyTab="${keytab}" principal="kafka/other@EXAMPLE.COM"`), /holds no key for kafka\/other@EXAMPLE.COM/],
    ['another service name', krb5(`useKeyTab=true keyTab="${keytab}" principal="zk/broker1.example@EXAMPLE.COM"`), /does not start with the service name kafka/],
    ['a serviceName option other than sasl.kerberos.service.name', krb5(`useKeyTab=true keyTab="${keytab}" serviceName="zk" principal="zk/h@EXAMPLE.COM"`), /serviceName zk differs from sasl.kerberos.service.name kafka/],
    ['another login module', 'org.apache.kafka.common.security.plain.PlainLoginModule required;', /GSSAPI needs com.sun.security.auth.module.Krb5LoginModule/],
  ])('refuses %s, naming the key', (_name, jaas, message) => {
    expect(() => config(jaas)).toThrow(message);
    expect(() => config(jaas)).toThrow(/listener\.name\.sasl_plaintext\.gssapi\.sasl\.jaas\.config/);
  });
});
