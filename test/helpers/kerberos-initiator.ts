// The client side of Kerberos for unit tests: what a KDC and a GSS-API initiator would make (a ticket
// sealed with the service's key, an authenticator sealed with the session key, the initial context token),
// and the initiator's half of SASL GSSAPI's negotiation, built from RFC 4120/4121 with Skein's own DER
// writer and crypto so that tests can vary every field (times, names, keys, flags) a real KDC fixes.
import { randomBytes } from 'node:crypto';
import { derChildren, derElement, derInteger, derRoot, DerTag } from '../../src/security/der.js';
import { AesKey, ETYPE_AES256_CTS_HMAC_SHA1_96 } from '../../src/security/kerberos/aes-cts-hmac-sha1.js';
import { kerberosTime } from '../../src/security/kerberos/messages.js';

const ctx = (n: number, inner: Buffer) => derElement(0xa0 | n, inner);
const app = (n: number, inner: Buffer) => derElement(0x60 | n, inner);
const seq = (...fields: Buffer[]) => derElement(DerTag.SEQUENCE, ...fields);
const str = (s: string) => derElement(DerTag.GENERAL_STRING, Buffer.from(s));
const octets = (b: Buffer) => derElement(DerTag.OCTET_STRING, b);
const principal = (components: string[]) => seq(ctx(0, derInteger(1)), ctx(1, seq(...components.map(str))));
const encrypted = (etype: number, cipher: Buffer, kvno?: number) => seq(ctx(0, derInteger(etype)), ...(kvno === undefined ? [] : [ctx(1, derInteger(kvno))]), ctx(2, octets(cipher)));
const encryptionKey = (key: AesKey) => seq(ctx(0, derInteger(key.etype)), ctx(1, octets(key.key)));

export const randomAesKey = () => new AesKey(ETYPE_AES256_CTS_HMAC_SHA1_96, randomBytes(32));

export interface InitiatorOptions {
  serviceKey: AesKey;
  kvno?: number;
  service?: string[];
  realm?: string;
  client?: string[];
  /** The authenticator's client, when it should differ from the ticket's. */
  authenticatorClient?: string[];
  nowMs: number;
  ctimeMs?: number;
  authtimeMs?: number;
  endtimeMs?: number;
  mutual?: boolean;
  subkey?: AesKey;
  seqNumber?: number;
}

export interface Initiated {
  token: Buffer;
  sessionKey: AesKey;
  /** The key of the per-message tokens: the subkey, or the session key. */
  contextKey: AesKey;
  ctimeMs: number;
}

/** An initial context token for the service, as an initiator with a ticket from the KDC sends it. */
export function initialToken(o: InitiatorOptions): Initiated {
  const realm = o.realm ?? 'SKEIN.TEST';
  const client = o.client ?? ['client'];
  const sessionKey = randomAesKey();
  const encTicketPart = app(
    3,
    seq(
      ctx(0, derElement(DerTag.BIT_STRING, Buffer.from([0, 0, 0, 0, 0]))),
      ctx(1, encryptionKey(sessionKey)),
      ctx(2, str(realm)),
      ctx(3, principal(client)),
      ctx(4, seq(ctx(0, derInteger(0)), ctx(1, octets(Buffer.alloc(0))))),
      ctx(5, kerberosTime(o.authtimeMs ?? o.nowMs - 1000)),
      ctx(7, kerberosTime(o.endtimeMs ?? o.nowMs + 3_600_000)),
    ),
  );
  const ticket = app(
    1,
    seq(
      ctx(0, derInteger(5)),
      ctx(1, str(realm)),
      ctx(2, principal(o.service ?? ['kafka', 'host'])),
      ctx(3, encrypted(o.serviceKey.etype, o.serviceKey.encrypt(2, encTicketPart, randomBytes(16)), o.kvno ?? 1)),
    ),
  );
  const flags = Buffer.alloc(24);
  flags.writeUInt32LE(16, 0);
  flags.writeUInt32LE((o.mutual ?? true ? 2 : 0) | 4 | 8 | 32, 20);
  const ctimeMs = Math.floor((o.ctimeMs ?? o.nowMs) / 1000) * 1000;
  const authenticator = app(
    2,
    seq(
      ctx(0, derInteger(5)),
      ctx(1, str(realm)),
      ctx(2, principal(o.authenticatorClient ?? client)),
      ctx(3, seq(ctx(0, derInteger(0x8003)), ctx(1, octets(flags)))),
      ctx(4, derInteger(123_456)),
      ctx(5, kerberosTime(ctimeMs)),
      ...(o.subkey ? [ctx(6, encryptionKey(o.subkey))] : []),
      ctx(7, derInteger(o.seqNumber ?? 1000)),
    ),
  );
  const apReq = app(
    14,
    seq(
      ctx(0, derInteger(5)),
      ctx(1, derInteger(14)),
      ctx(2, derElement(DerTag.BIT_STRING, Buffer.from([0, o.mutual ?? true ? 0x20 : 0, 0, 0, 0]))),
      ctx(3, ticket),
      ctx(4, encrypted(sessionKey.etype, sessionKey.encrypt(11, authenticator, randomBytes(16)))),
    ),
  );
  const token = derElement(0x60, Buffer.from('06092a864886f712010202', 'hex'), Buffer.from([1, 0]), apReq);
  return { token, sessionKey, contextKey: o.subkey ?? sessionKey, ctimeMs };
}

/** The EncAPRepPart of an AP-REP token, opened with the session key: its ctime and sequence number. */
export function openApRep(token: Buffer, sessionKey: AesKey): { ctimeMs: number; seqNumber: number } {
  const inner = derRoot(token).contents;
  const apRep = derRoot(derRoot(inner.subarray(13)).contents); // OID (11 bytes), TOK_ID 02 00
  const encPart = fieldOf(fieldOf(apRep, 2), 2).contents;
  const part = derRoot(derRoot(sessionKey.decrypt(12, encPart)).contents);
  const time = fieldOf(part, 0).contents.toString('latin1');
  const ctimeMs = Date.UTC(+time.slice(0, 4), +time.slice(4, 6) - 1, +time.slice(6, 8), +time.slice(8, 10), +time.slice(10, 12), +time.slice(12, 14));
  return { ctimeMs, seqNumber: fieldOf(part, 3).contents.readUIntBE(0, fieldOf(part, 3).contents.length) };
}

function fieldOf(node: { contents: Buffer }, n: number) {
  const field = derChildren(node.contents).find((child) => child.tag === (0xa0 | n));
  if (!field) throw new Error(`field ${n} missing`);
  return derRoot(field.contents);
}

/** The acceptor's Wrap token, checked as the initiator checks it: its message and sequence number. */
export function unwrapFromAcceptor(key: AesKey, token: Buffer): { message: Buffer; sequence: bigint } {
  if (token.readUInt16BE(0) !== 0x0504 || token[2] !== 0x01) throw new Error('not an acceptor Wrap token without confidentiality');
  const ec = token.readUInt16BE(4);
  const header = Buffer.from(token.subarray(0, 16));
  header.writeUInt16BE(0, 4);
  const message = token.subarray(16, token.length - ec);
  if (!key.checksum(22, Buffer.concat([message, header])).equals(token.subarray(token.length - ec))) throw new Error('acceptor Wrap token checksum does not match');
  return { message, sequence: token.readBigUInt64BE(8) };
}

/** An initiator's Wrap token, sealed (Java, MIT with confidentiality) or not (pykerberos's default). */
export function wrapFromInitiator(key: AesKey, message: Buffer, sealed: boolean, rrc = 0): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt16BE(0x0504, 0);
  header[2] = sealed ? 0x02 : 0;
  header[3] = 0xff;
  header.writeBigUInt64BE(1000n, 8);
  let data: Buffer;
  if (sealed) {
    data = key.encrypt(24, Buffer.concat([message, header]), randomBytes(16));
  } else {
    const checksum = key.checksum(24, Buffer.concat([message, header]));
    header.writeUInt16BE(checksum.length, 4);
    data = Buffer.concat([message, checksum]);
  }
  // RRC: the data rotated right by rrc bytes, as Microsoft's initiators send it.
  header.writeUInt16BE(rrc, 6);
  const r = rrc % data.length;
  return Buffer.concat([header, data.subarray(data.length - r), data.subarray(0, data.length - r)]);
}
