// GSS-API's Kerberos V5 mechanism tokens (RFC 1964 3.1 framing, RFC 4121 4.1-4.2): the initial context
// token (the mechanism OID and TOK_ID 01 00 in front of an AP-REQ), the acceptor's AP-REP token (TOK_ID
// 02 00), the authenticator checksum 0x8003 that carries the context flags, and Wrap tokens (TOK_ID 05 04)
// with and without confidentiality. Pure: keys, sequence numbers and confounders come from the caller.
import { timingSafeEqual } from 'node:crypto';
import { derElement, DerError, derRoot } from '../der.js';
import { KerberosCryptoError, type KerberosKey } from './aes-cts-hmac-sha1.js';

/** 1.2.840.113554.1.2.2, the Kerberos V5 GSS-API mechanism, as a DER element. */
const KRB5_MECH_OID = Buffer.from('06092a864886f712010202', 'hex');
const TOK_AP_REQ = 0x0100;
const TOK_AP_REP = 0x0200;
const TOK_WRAP = 0x0504;
/** RFC 4121 4.1.1: the authenticator checksum type that carries GSS flags. */
export const GSS_CHECKSUM_TYPE = 0x8003;
/** GSS_C_MUTUAL_FLAG in that checksum's flags. */
export const GSS_MUTUAL_FLAG = 2;

/** RFC 4121 2: key usages of Wrap tokens, by sender (Wrap tokens use the SEAL ones with or without confidentiality). */
export const WrapUsage = { ACCEPTOR_SEAL: 22, INITIATOR_SEAL: 24 } as const;
const WrapFlag = { SENT_BY_ACCEPTOR: 0x01, SEALED: 0x02, ACCEPTOR_SUBKEY: 0x04 } as const;
const WRAP_HEADER_BYTES = 16;

export class GssTokenError extends Error {
  override readonly name = 'GssTokenError';
}

/** The AP-REQ inside an initial context token; GssTokenError when the token is not Kerberos V5's. */
export function apReqOfInitialToken(token: Buffer): Buffer {
  let inner: Buffer;
  try {
    const outer = derRoot(token);
    if (outer.tag !== 0x60) throw new GssTokenError('not a GSS-API initial context token');
    inner = outer.contents;
  } catch (err) {
    if (err instanceof DerError) throw new GssTokenError(`initial context token: ${err.message}`);
    throw err;
  }
  if (inner.length < KRB5_MECH_OID.length + 2 || !inner.subarray(0, KRB5_MECH_OID.length).equals(KRB5_MECH_OID)) {
    throw new GssTokenError('initial context token is not for the Kerberos V5 mechanism (1.2.840.113554.1.2.2)');
  }
  if (inner.readUInt16BE(KRB5_MECH_OID.length) !== TOK_AP_REQ) throw new GssTokenError('initial context token does not carry an AP-REQ');
  return inner.subarray(KRB5_MECH_OID.length + 2);
}

/** The token that carries the acceptor's AP-REP back to the initiator. */
export function apRepToken(apRep: Buffer): Buffer {
  const tokId = Buffer.alloc(2);
  tokId.writeUInt16BE(TOK_AP_REP);
  return derElement(0x60, KRB5_MECH_OID, tokId, apRep);
}

/** The context flags of a 0x8003 authenticator checksum (RFC 4121 4.1.1: Lgth, Bnd, Flags, ...). */
export function gssFlagsOf(checksum: { type: number; value: Buffer } | undefined): number {
  if (!checksum || checksum.type !== GSS_CHECKSUM_TYPE) throw new GssTokenError('authenticator has no GSS-API checksum (type 0x8003)');
  if (checksum.value.length < 24 || checksum.value.readUInt32LE(0) !== 16) throw new GssTokenError('GSS-API checksum is malformed');
  return checksum.value.readUInt32LE(20);
}

/** An acceptor's Wrap token without confidentiality (what SASL GSSAPI's negotiation sends). */
export function wrapFromAcceptor(key: KerberosKey, message: Buffer, sequence: bigint): Buffer {
  const header = wrapHeader(WrapFlag.SENT_BY_ACCEPTOR, 0, 0, sequence);
  const checksum = key.checksum(WrapUsage.ACCEPTOR_SEAL, Buffer.concat([message, header]));
  header.writeUInt16BE(checksum.length, 4); // EC: the trailing checksum's length
  return Buffer.concat([header, message, checksum]);
}

function wrapHeader(flags: number, ec: number, rrc: number, sequence: bigint): Buffer {
  const header = Buffer.alloc(WRAP_HEADER_BYTES);
  header.writeUInt16BE(TOK_WRAP, 0);
  header[2] = flags;
  header[3] = 0xff;
  header.writeUInt16BE(ec, 4);
  header.writeUInt16BE(rrc, 6);
  header.writeBigUInt64BE(sequence, 8);
  return header;
}

/** The message of an initiator's Wrap token, sealed or not; GssTokenError when it is not genuine. */
export function unwrapFromInitiator(key: KerberosKey, token: Buffer): Buffer {
  if (token.length < WRAP_HEADER_BYTES || token.readUInt16BE(0) !== TOK_WRAP || token[3] !== 0xff) throw new GssTokenError('not a Wrap token');
  const flags = token[2]!;
  if (flags & WrapFlag.SENT_BY_ACCEPTOR) throw new GssTokenError('Wrap token claims to come from the acceptor');
  // Skein's AP-REP offers no acceptor subkey, so a token sealed with one cannot be genuine.
  if (flags & WrapFlag.ACCEPTOR_SUBKEY) throw new GssTokenError('Wrap token uses an acceptor subkey that was never sent');
  const ec = token.readUInt16BE(4);
  const rrc = token.readUInt16BE(6);
  const rotated = token.subarray(WRAP_HEADER_BYTES);
  if (rotated.length === 0) throw new GssTokenError('Wrap token has no data');
  // RRC rotated the data right by rrc bytes (RFC 4121 4.2.5); rotate it back.
  const r = rrc % rotated.length;
  const data = Buffer.concat([rotated.subarray(r), rotated.subarray(0, r)]);
  const header = Buffer.from(token.subarray(0, WRAP_HEADER_BYTES));
  header.writeUInt16BE(0, 6);
  if (flags & WrapFlag.SEALED) {
    let plain: Buffer;
    try {
      plain = key.decrypt(WrapUsage.INITIATOR_SEAL, data);
    } catch (err) {
      if (err instanceof KerberosCryptoError) throw new GssTokenError(`sealed Wrap token: ${err.message}`);
      throw err;
    }
    // The plaintext ends with EC filler bytes and a copy of the header (RRC zero), which must match.
    if (plain.length < ec + WRAP_HEADER_BYTES || !plain.subarray(plain.length - WRAP_HEADER_BYTES).equals(header)) throw new GssTokenError('sealed Wrap token header does not match');
    return plain.subarray(0, plain.length - WRAP_HEADER_BYTES - ec);
  }
  if (ec > data.length) throw new GssTokenError('Wrap token shorter than its checksum');
  const message = data.subarray(0, data.length - ec);
  header.writeUInt16BE(0, 4);
  const expected = key.checksum(WrapUsage.INITIATOR_SEAL, Buffer.concat([message, header]));
  if (ec !== expected.length || !timingSafeEqual(expected, data.subarray(data.length - ec))) throw new GssTokenError('Wrap token checksum does not match');
  return message;
}
