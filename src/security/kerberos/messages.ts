// The Kerberos V5 messages a service sees (RFC 4120 5.3-5.5, ASN.1 DER with EXPLICIT context tags): the
// client's AP-REQ (its Ticket, sealed with the service's key, and an Authenticator sealed with the
// ticket's session key) and the service's AP-REP (mutual authentication). Decoding checks every field it
// uses and throws KerberosMessageError naming the field, never its contents.
import { derChildren, derElement, DerError, derInteger, derRoot, DerTag, signedInteger, type DerNode } from '../der.js';

export class KerberosMessageError extends Error {
  override readonly name = 'KerberosMessageError';
}

/** RFC 4120 7.5.7 message types, 5.x application tags (constructed, application class). */
const APPLICATION = (n: number) => 0x60 | n;
const TAG = { ticket: APPLICATION(1), authenticator: APPLICATION(2), encTicketPart: APPLICATION(3), apReq: APPLICATION(14), apRep: APPLICATION(15), encApRepPart: APPLICATION(27) } as const;
const MSG_AP_REQ = 14;
const MSG_AP_REP = 15;
const PVNO = 5;
const CONTEXT = (n: number) => 0xa0 | n;

/** RFC 4120 7.5.1 key usages this side uses. */
export const KeyUsage = { TICKET: 2, AP_REQ_AUTHENTICATOR: 11, AP_REP_ENC_PART: 12 } as const;

export interface PrincipalName {
  nameType: number;
  components: readonly string[];
}

export interface EncryptedData {
  etype: number;
  kvno: number | undefined;
  cipher: Buffer;
}

export interface EncryptionKey {
  etype: number;
  key: Buffer;
}

export interface Ticket {
  realm: string;
  sname: PrincipalName;
  encPart: EncryptedData;
}

export interface ApReq {
  /** AP options bit 2 (mutual-required): the client wants an AP-REP. */
  mutualRequired: boolean;
  ticket: Ticket;
  authenticator: EncryptedData;
}

export interface EncTicketPart {
  key: EncryptionKey;
  crealm: string;
  cname: PrincipalName;
  authtimeMs: number;
  starttimeMs: number | undefined;
  endtimeMs: number;
}

export interface Authenticator {
  crealm: string;
  cname: PrincipalName;
  checksum: { type: number; value: Buffer } | undefined;
  cusec: number;
  ctimeMs: number;
  subkey: EncryptionKey | undefined;
  seqNumber: number | undefined;
}

/** A SEQUENCE's EXPLICIT context-tagged fields by tag number, each unwrapped to its inner element. */
function fieldsOf(node: DerNode, what: string): Map<number, DerNode> {
  if (node.tag !== DerTag.SEQUENCE) throw new KerberosMessageError(`${what}: not a SEQUENCE`);
  const out = new Map<number, DerNode>();
  for (const child of derChildren(node.contents)) {
    if ((child.tag & 0xe0) !== 0xa0) throw new KerberosMessageError(`${what}: unexpected tag 0x${child.tag.toString(16)}`);
    out.set(child.tag & 0x1f, derRoot(child.contents));
  }
  return out;
}

/** The single element inside an APPLICATION-tagged wrapper. */
function unwrapApplication(bytes: Buffer, tag: number, what: string): DerNode {
  const outer = derRoot(bytes);
  if (outer.tag !== tag) throw new KerberosMessageError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${outer.tag.toString(16)}`);
  return derRoot(outer.contents);
}

function field(fields: Map<number, DerNode>, n: number, tag: number, what: string): DerNode {
  const node = fields.get(n);
  if (!node) throw new KerberosMessageError(`${what}: missing`);
  if (node.tag !== tag) throw new KerberosMessageError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`);
  return node;
}

const int = (fields: Map<number, DerNode>, n: number, what: string) => signedInteger(field(fields, n, DerTag.INTEGER, what).contents);
const optionalInt = (fields: Map<number, DerNode>, n: number, what: string) => (fields.has(n) ? int(fields, n, what) : undefined);
const str = (fields: Map<number, DerNode>, n: number, what: string) => field(fields, n, DerTag.GENERAL_STRING, what).contents.toString('utf8');
const octets = (fields: Map<number, DerNode>, n: number, what: string) => field(fields, n, DerTag.OCTET_STRING, what).contents;

/** KerberosTime: "YYYYMMDDHHMMSSZ" (RFC 4120 5.2.3), as milliseconds since the epoch. */
function time(fields: Map<number, DerNode>, n: number, what: string): number {
  const text = field(fields, n, DerTag.GENERALIZED_TIME, what).contents.toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw new KerberosMessageError(`${what}: not a KerberosTime`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function principalName(node: DerNode, what: string): PrincipalName {
  const f = fieldsOf(node, what);
  const names = field(f, 1, DerTag.SEQUENCE, `${what}.name-string`);
  const components = derChildren(names.contents).map((c) => {
    if (c.tag !== DerTag.GENERAL_STRING) throw new KerberosMessageError(`${what}.name-string: not a KerberosString`);
    return c.contents.toString('utf8');
  });
  if (components.length === 0) throw new KerberosMessageError(`${what}: no name components`);
  return { nameType: int(f, 0, `${what}.name-type`), components };
}

function encryptedData(node: DerNode, what: string): EncryptedData {
  const f = fieldsOf(node, what);
  return { etype: int(f, 0, `${what}.etype`), kvno: optionalInt(f, 1, `${what}.kvno`), cipher: octets(f, 2, `${what}.cipher`) };
}

function encryptionKey(node: DerNode, what: string): EncryptionKey {
  const f = fieldsOf(node, what);
  return { etype: int(f, 0, `${what}.keytype`), key: octets(f, 1, `${what}.keyvalue`) };
}

/** Runs a decoder, turning the DER reader's errors into message errors. */
function decoding<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof DerError) throw new KerberosMessageError(`${what}: ${err.message}`);
    throw err;
  }
}

export function decodeApReq(bytes: Buffer): ApReq {
  return decoding('AP-REQ', () => {
    const f = fieldsOf(unwrapApplication(bytes, TAG.apReq, 'AP-REQ'), 'AP-REQ');
    if (int(f, 0, 'AP-REQ.pvno') !== PVNO || int(f, 1, 'AP-REQ.msg-type') !== MSG_AP_REQ) throw new KerberosMessageError('AP-REQ: not a Kerberos 5 AP-REQ');
    // BIT STRING: one byte of unused-bit count, then the bits from bit 0 (most significant) on.
    const options = field(f, 2, DerTag.BIT_STRING, 'AP-REQ.ap-options').contents;
    const mutualRequired = options.length >= 2 && (options[1]! & 0x20) !== 0;
    const ticketNode = field(f, 3, TAG.ticket, 'AP-REQ.ticket');
    const t = fieldsOf(derRoot(ticketNode.contents), 'Ticket');
    if (int(t, 0, 'Ticket.tkt-vno') !== PVNO) throw new KerberosMessageError('Ticket: not a Kerberos 5 ticket');
    const ticket: Ticket = {
      realm: str(t, 1, 'Ticket.realm'),
      sname: principalName(field(t, 2, DerTag.SEQUENCE, 'Ticket.sname'), 'Ticket.sname'),
      encPart: encryptedData(field(t, 3, DerTag.SEQUENCE, 'Ticket.enc-part'), 'Ticket.enc-part'),
    };
    return { mutualRequired, ticket, authenticator: encryptedData(field(f, 4, DerTag.SEQUENCE, 'AP-REQ.authenticator'), 'AP-REQ.authenticator') };
  });
}

export function decodeEncTicketPart(bytes: Buffer): EncTicketPart {
  return decoding('EncTicketPart', () => {
    const f = fieldsOf(unwrapApplication(bytes, TAG.encTicketPart, 'EncTicketPart'), 'EncTicketPart');
    return {
      key: encryptionKey(field(f, 1, DerTag.SEQUENCE, 'EncTicketPart.key'), 'EncTicketPart.key'),
      crealm: str(f, 2, 'EncTicketPart.crealm'),
      cname: principalName(field(f, 3, DerTag.SEQUENCE, 'EncTicketPart.cname'), 'EncTicketPart.cname'),
      authtimeMs: time(f, 5, 'EncTicketPart.authtime'),
      starttimeMs: f.has(6) ? time(f, 6, 'EncTicketPart.starttime') : undefined,
      endtimeMs: time(f, 7, 'EncTicketPart.endtime'),
    };
  });
}

export function decodeAuthenticator(bytes: Buffer): Authenticator {
  return decoding('Authenticator', () => {
    const f = fieldsOf(unwrapApplication(bytes, TAG.authenticator, 'Authenticator'), 'Authenticator');
    if (int(f, 0, 'Authenticator.authenticator-vno') !== PVNO) throw new KerberosMessageError('Authenticator: not version 5');
    let checksum: Authenticator['checksum'];
    if (f.has(3)) {
      const c = fieldsOf(field(f, 3, DerTag.SEQUENCE, 'Authenticator.cksum'), 'Authenticator.cksum');
      checksum = { type: int(c, 0, 'Authenticator.cksum.cksumtype'), value: octets(c, 1, 'Authenticator.cksum.checksum') };
    }
    const seq = optionalInt(f, 7, 'Authenticator.seq-number');
    return {
      crealm: str(f, 1, 'Authenticator.crealm'),
      cname: principalName(field(f, 2, DerTag.SEQUENCE, 'Authenticator.cname'), 'Authenticator.cname'),
      checksum,
      cusec: int(f, 4, 'Authenticator.cusec'),
      ctimeMs: time(f, 5, 'Authenticator.ctime'),
      subkey: f.has(6) ? encryptionKey(field(f, 6, DerTag.SEQUENCE, 'Authenticator.subkey'), 'Authenticator.subkey') : undefined,
      // Some implementations encode the 32-bit sequence number as a negative Int32; both mean the same bits.
      seqNumber: seq === undefined ? undefined : seq >>> 0,
    };
  });
}

const explicit = (n: number, inner: Buffer) => derElement(CONTEXT(n), inner);

/** KerberosTime for milliseconds since the epoch (whole seconds). */
export function kerberosTime(ms: number): Buffer {
  const text = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return derElement(DerTag.GENERALIZED_TIME, Buffer.from(text, 'latin1'));
}

/** EncAPRepPart: the authenticator's time echoed back (which proves the service could read it) and its sequence number. */
export function encodeEncApRepPart(part: { ctimeMs: number; cusec: number; seqNumber: number }): Buffer {
  return derElement(
    TAG.encApRepPart,
    derElement(DerTag.SEQUENCE, explicit(0, kerberosTime(part.ctimeMs)), explicit(1, derInteger(part.cusec)), explicit(3, derInteger(part.seqNumber))),
  );
}

/** AP-REP carrying the EncAPRepPart sealed with the ticket's session key. */
export function encodeApRep(etype: number, cipher: Buffer): Buffer {
  const encPart = derElement(DerTag.SEQUENCE, explicit(0, derInteger(etype)), explicit(2, derElement(DerTag.OCTET_STRING, cipher)));
  return derElement(TAG.apRep, derElement(DerTag.SEQUENCE, explicit(0, derInteger(PVNO)), explicit(1, derInteger(MSG_AP_REP)), explicit(2, encPart)));
}
