// Keys, certificates and TLS parameters as Kafka and ZooKeeper configure them (keystore and truststore,
// PEM or PKCS#12, protocols, cipher suites, client authentication), turned into Node's TLS options.
// Files are read when a context is made; a listener re-reads them when they change on disk, so a renewed
// certificate takes effect for new connections without a restart.
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, getCiphers, type SecureContextOptions, type SecureVersion } from 'node:tls';
import type { Logger } from '../logger.js';
import type { TlsHandshake } from '../net/tcp-server.js';
import { Pkcs12Error, pkcs12Certificates } from './pkcs12-certificates.js';

export type StoreType = 'PEM' | 'PKCS12' | 'JKS';
export type ClientAuth = 'none' | 'requested' | 'required';

/** Where this side's private key and certificate chain come from. */
export interface KeyStoreSpec {
  type: StoreType;
  location?: string;
  password?: string;
  /** PEM given in the config itself (Kafka's ssl.keystore.certificate.chain and ssl.keystore.key). */
  certificateChain?: string;
  key?: string;
  /** Decrypts an encrypted PEM private key. */
  keyPassword?: string;
}

/** The certificates this side trusts; none given means the system's. */
export interface TrustStoreSpec {
  type: StoreType;
  location?: string;
  password?: string;
  /** PEM given in the config itself (Kafka's ssl.truststore.certificates). */
  certificates?: string;
}

export interface TlsSpec {
  keystore?: KeyStoreSpec;
  truststore?: TrustStoreSpec;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** OpenSSL cipher list (TLS 1.3 suites included by name); undefined keeps Node's default. */
  ciphers?: string;
  clientAuth: ClientAuth;
  /** The setting names, for messages: which key to fix. */
  keyNames: { keystore: string; truststore: string; protocols: string; ciphers: string };
}

export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

/**
 * ZooKeeper's inference of a store's type from its file name when none is given: .pem is PEM, anything
 * else PKCS12 (ZooKeeper takes .jks and unknown names for JKS; a PKCS12 file under such a name is still
 * read here, a real JKS file refused with how to convert it).
 */
export function storeTypeFromName(location: string): StoreType {
  return location.toLowerCase().endsWith('.pem') ? 'PEM' : 'PKCS12';
}

/** Java's protocol names, in order. */
export const PROTOCOLS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** A JKS file starts with these bytes; Node cannot read one. */
const JKS_MAGIC = 0xfeedfeed;
/** How often a listener looks at its key and certificate files for a renewal, at most. */
export const RELOAD_CHECK_MS = 5_000;

/** The lowest and highest of Java-named protocols (ssl.enabled.protocols); throws naming `key`. */
export function protocolRange(names: readonly string[], key: string): { minVersion: SecureVersion; maxVersion: SecureVersion } {
  if (names.length === 0) throw new TlsConfigError(`${key}: no protocol enabled`);
  const indexes = names.map((n) => {
    const i = PROTOCOLS.indexOf(n as SecureVersion);
    if (i < 0) throw new TlsConfigError(`${key}: unknown protocol ${n} (known: ${PROTOCOLS.join(', ')})`);
    return i;
  });
  return { minVersion: PROTOCOLS[Math.min(...indexes)]!, maxVersion: PROTOCOLS[Math.max(...indexes)]! };
}

/**
 * Java names cipher suites as IANA does (TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384), OpenSSL in its own way
 * (ECDHE-RSA-AES256-GCM-SHA384) except for TLS 1.3's. Both are accepted; each must be one this Node knows.
 */
export function cipherList(names: readonly string[], key: string): string | undefined {
  if (names.length === 0) return undefined;
  const known = new Set(getCiphers().map((c) => c.toUpperCase()));
  return names
    .map((name) => {
      const openssl = known.has(name.toUpperCase()) ? name : ianaToOpenssl(name);
      if (!openssl || !known.has(openssl.toUpperCase())) throw new TlsConfigError(`${key}: unknown cipher suite ${name}`);
      return openssl;
    })
    .join(':');
}

function ianaToOpenssl(name: string): string | undefined {
  const m = /^TLS_(ECDHE_RSA|ECDHE_ECDSA|DHE_RSA|RSA)_WITH_(AES_(?:128|256)_(?:GCM|CBC)|CHACHA20_POLY1305)_(SHA|SHA256|SHA384)$/.exec(name.toUpperCase());
  if (!m) return undefined;
  const kx = m[1] === 'RSA' ? [] : [m[1]!.replace('_', '-')];
  const cipher = m[2]!.startsWith('CHACHA20')
    ? ['CHACHA20-POLY1305']
    : [`AES${m[2]!.slice(4, 7)}`, ...(m[2]!.endsWith('GCM') ? ['GCM'] : [])];
  // OpenSSL leaves the MAC out of AEAD suites' names only for ChaCha20.
  const mac = m[2]!.startsWith('CHACHA20') ? [] : [m[3]!];
  return [...kx, ...cipher, ...mac].join('-');
}

/** The files a spec reads, whose change on disk means renewed material. */
function filesOf(spec: TlsSpec): string[] {
  return [spec.keystore?.location, spec.truststore?.location].filter((f): f is string => f !== undefined);
}

function readStore(location: string, key: string): Buffer {
  try {
    return readFileSync(location);
  } catch (err) {
    throw new TlsConfigError(`${key}: cannot read ${location}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** PEM blocks of one kind from a text holding several (a PEM keystore file holds key and chain). */
function pemBlocks(text: string, kind: RegExp): string {
  const blocks = text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  return blocks.filter((b) => kind.test(b.slice(11, b.indexOf('-----', 11)))).join('\n');
}

const KEY_BLOCK = /PRIVATE KEY$/;
const CERT_BLOCK = /^CERTIFICATE$/;

/** A PKCS#12 file may have been written by keytool as JKS; say how to convert rather than fail obscurely. */
function refuseJks(bytes: Buffer, key: string, location: string): void {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) {
    throw new TlsConfigError(
      `${key}: ${location} is a JKS keystore, which Skein cannot read; convert it: keytool -importkeystore -srckeystore ${location} -destkeystore store.p12 -deststoretype PKCS12, then set the store type to PKCS12`,
    );
  }
}

function keyOptions(ks: KeyStoreSpec, key: string): SecureContextOptions {
  if (ks.type === 'PEM') {
    const text = ks.location !== undefined ? readStore(ks.location, key).toString('utf8') : `${ks.key ?? ''}\n${ks.certificateChain ?? ''}`;
    const pemKey = pemBlocks(text, KEY_BLOCK);
    const cert = pemBlocks(text, CERT_BLOCK);
    if (!pemKey) throw new TlsConfigError(`${key}: no PEM private key found`);
    if (!cert) throw new TlsConfigError(`${key}: no PEM certificate found`);
    return { key: pemKey, cert, passphrase: ks.keyPassword ?? ks.password };
  }
  if (ks.location === undefined) throw new TlsConfigError(`${key}: a ${ks.type} keystore needs a location`);
  const bytes = readStore(ks.location, key);
  refuseJks(bytes, key, ks.location);
  return { pfx: bytes, passphrase: ks.password ?? ks.keyPassword };
}

export function trustOptions(ts: TrustStoreSpec, key: string): SecureContextOptions {
  if (ts.type === 'PEM') {
    const text = ts.location !== undefined ? readStore(ts.location, key).toString('utf8') : (ts.certificates ?? '');
    const ca = pemBlocks(text, CERT_BLOCK);
    if (!ca) throw new TlsConfigError(`${key}: no PEM certificate found`);
    return { ca };
  }
  if (ts.location === undefined) throw new TlsConfigError(`${key}: a ${ts.type} truststore needs a location`);
  const bytes = readStore(ts.location, key);
  refuseJks(bytes, key, ts.location);
  try {
    return { ca: pkcs12Certificates(bytes, ts.password ?? '') };
  } catch (err) {
    if (err instanceof Pkcs12Error) throw new TlsConfigError(`${key}: ${ts.location}: ${err.message}`);
    throw err;
  }
}

/**
 * Node's options for a spec, its files read now and checked by making a context of them. Throws
 * TlsConfigError naming the setting to fix (never a password): a missing file, a wrong password, a key
 * that does not match its certificate.
 */
export function loadTlsOptions(spec: TlsSpec): SecureContextOptions {
  const options: SecureContextOptions = {
    ...(spec.keystore && keyOptions(spec.keystore, spec.keyNames.keystore)),
    ...(spec.truststore && trustOptions(spec.truststore, spec.keyNames.truststore)),
    minVersion: spec.minVersion,
    maxVersion: spec.maxVersion,
    ...(spec.ciphers !== undefined && { ciphers: spec.ciphers }),
  };
  try {
    createSecureContext(options);
  } catch (err) {
    const where = spec.keystore ? spec.keyNames.keystore : spec.keyNames.truststore;
    throw new TlsConfigError(`${where}: ${(err as Error).message} (wrong password, or a key that does not match its certificate?)`);
  }
  return options;
}

/**
 * A listener's key material, read again when its files change on disk (checked at most every
 * RELOAD_CHECK_MS, at a handshake). Material that fails to load (a renewal half written) keeps the
 * previous one. options() returns the same object until something changed.
 */
export class ReloadingTlsOptions {
  private current: SecureContextOptions;
  private stamps: string;
  private checkedAt = Date.now();

  constructor(
    private readonly spec: TlsSpec,
    private readonly log: Logger,
  ) {
    this.current = loadTlsOptions(spec);
    this.stamps = this.fileStamps();
  }

  options(): SecureContextOptions {
    const now = Date.now();
    if (now - this.checkedAt < RELOAD_CHECK_MS) return this.current;
    this.checkedAt = now;
    const stamps = this.fileStamps();
    if (stamps === this.stamps) return this.current;
    try {
      this.current = loadTlsOptions(this.spec);
      this.stamps = stamps;
      this.log.info({ files: filesOf(this.spec) }, 'TLS key material changed on disk; new connections use it');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'TLS key material changed on disk but does not load; keeping the previous one');
    }
    return this.current;
  }

  private fileStamps(): string {
    return filesOf(this.spec)
      .map((f) => {
        try {
          const s = statSync(f);
          return `${f}:${s.mtimeMs}:${s.size}`;
        } catch {
          return `${f}:missing`;
        }
      })
      .join('|');
  }
}

/** A TLS port's handshake from its spec: key material re-read when renewed, client certificates per clientAuth. */
export function tlsHandshakeOf(spec: TlsSpec, timeoutMs: number, log: Logger): TlsHandshake {
  const material = new ReloadingTlsOptions(spec, log);
  return {
    options: () => material.options(),
    requestCert: spec.clientAuth !== 'none',
    requireCert: spec.clientAuth === 'required',
    timeoutMs,
  };
}
