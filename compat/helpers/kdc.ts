// An MIT Kerberos KDC (Debian's krb5-kdc) for one test file: a realm in a temp dir with its own krb5.conf,
// the AES encryption types with SHA-1 (RFC 3962) and SHA-2 (RFC 8009),
// kdc.conf and database (a random master password), principals with random keys exported to keytabs by
// kadmin.local, and krb5kdc run in the foreground on a free loopback port. Nothing needs root. Clients
// find it through KRB5_CONFIG (MIT: kinit, librdkafka's Cyrus SASL, python-gssapi, pykerberos) or
// -Djava.security.krb5.conf (Java); `env` gives each client its own ticket cache.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/free-port.js';
import { ServerProcess, type CommandLine } from '../../test/helpers/server-process.js';
import { run } from './commands.js';

export const REALM = 'SKEIN.TEST';

export class TestKdc extends ServerProcess {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    super('commencing operation');
  }

  /** krb5.conf for clients: this realm, TCP only, the AES etypes, no DNS. */
  get krb5Conf(): string {
    return join(this.dir, 'krb5.conf');
  }

  /** Creates the realm and starts the KDC. */
  static async start(): Promise<TestKdc> {
    const dir = await mkdtemp(join(tmpdir(), 'skein-kdc-'));
    const port = await freePort();
    const kdc = new TestKdc(dir, port);
    const enctypes = 'aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128';
    await writeFile(
      kdc.krb5Conf,
      `[libdefaults]
  default_realm = ${REALM}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  permitted_enctypes = ${enctypes}
  default_tkt_enctypes = ${enctypes}
  default_tgs_enctypes = ${enctypes}
[realms]
  ${REALM} = {
    kdc = 127.0.0.1:${port}
  }
[domain_realm]
  localhost = ${REALM}
`,
    );
    await writeFile(
      join(dir, 'kdc.conf'),
      `[kdcdefaults]
  kdc_listen = 127.0.0.1:${port}
  kdc_tcp_listen = 127.0.0.1:${port}
[realms]
  ${REALM} = {
    database_name = ${join(dir, 'principal')}
    key_stash_file = ${join(dir, 'stash')}
    supported_enctypes = ${enctypes.split(' ').map((e) => `${e}:normal`).join(' ')}
    max_life = 1h
  }
[logging]
  kdc = STDERR
`,
    );
    const created = await run('kdb5_util', ['create', '-s', '-r', REALM, '-P', randomBytes(16).toString('hex')], '', 30_000, kdc.adminEnv());
    if (created.code !== 0) throw new Error(`kdb5_util create failed:\n${created.stderr}`);
    await kdc.launch();
    return kdc;
  }

  private adminEnv(): NodeJS.ProcessEnv {
    return { ...process.env, KRB5_CONFIG: this.krb5Conf, KRB5_KDC_PROFILE: join(this.dir, 'kdc.conf') };
  }

  protected override commandLine(): CommandLine {
    return { file: 'krb5kdc', args: ['-n'], cwd: this.dir, env: this.adminEnv() };
  }

  /** Runs kadmin.local commands (one a line), failing on any error it reports. */
  async admin(commands: string[]): Promise<void> {
    const r = await run('kadmin.local', [], `${commands.join('\n')}\n`, 30_000, this.adminEnv());
    if (r.code !== 0 || /error|not found|does not exist/i.test(r.stderr)) throw new Error(`kadmin.local failed:\n${r.stderr}`);
  }

  /**
   * Adds principals with random keys (of `enctypes`, e.g. `aes256-cts-hmac-sha384-192:normal`, or all the
   * realm's) and exports their keys (a new key version each) to `keytab` in the realm's dir.
   */
  async keytab(name: string, principals: string[], enctypes?: string): Promise<string> {
    const path = join(this.dir, name);
    const only = enctypes === undefined ? '' : ` -e ${enctypes}`;
    await this.admin([...principals.map((p) => `addprinc -randkey${only} ${p}@${REALM}`), `ktadd -k ${path}${only} ${principals.map((p) => `${p}@${REALM}`).join(' ')}`]);
    return path;
  }

  /** The environment of a client process: this realm, and its own ticket cache (`cache` names it). */
  env(cache: string): NodeJS.ProcessEnv {
    return { ...process.env, KRB5_CONFIG: this.krb5Conf, KRB5CCNAME: `FILE:${join(this.dir, `ccache-${cache}`)}` };
  }

  /** kinit from a keytab into the ticket cache `env(cache)` names. */
  async kinit(keytab: string, principal: string, cache: string): Promise<void> {
    const r = await run('kinit', ['-kt', keytab, `${principal}@${REALM}`], '', 30_000, this.env(cache));
    if (r.code !== 0) throw new Error(`kinit ${principal} failed:\n${r.stderr}`);
  }

  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
