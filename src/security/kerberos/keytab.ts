// The MIT keytab file (version 0x0502, what ktutil, kadmin's ktadd and Java's ktab write): the service's
// long-term keys, one entry per principal, key version and encryption type. Entries are size-prefixed;
// a negative size marks a deleted entry's hole, which is skipped. Errors say where the file is broken,
// never what key bytes it holds.

export class KeytabError extends Error {
  override readonly name = 'KeytabError';
}

export interface KeytabEntry {
  /** The principal's name components ("kafka", "host"). */
  components: readonly string[];
  realm: string;
  /** Key version number (the 32-bit field when present, as MIT writes for kvno > 255). */
  kvno: number;
  etype: number;
  key: Buffer;
}

const KEYTAB_VERSION = 0x0502;
/** No real keytab comes near this; a larger entry is a corrupt file. */
const MAX_ENTRY_BYTES = 64 * 1024;
/** A principal with more name components than this is not a principal any KDC issues. */
const MAX_COMPONENTS = 16;

/** "kafka/host@REALM" for an entry or a ticket's server. */
export function principalText(components: readonly string[], realm: string): string {
  return `${components.join('/')}@${realm}`;
}

export function parseKeytab(file: Buffer): KeytabEntry[] {
  if (file.length < 2 || file.readUInt16BE(0) !== KEYTAB_VERSION) throw new KeytabError(`not an MIT keytab of version 0x0502 (starts with 0x${file.subarray(0, 2).toString('hex')})`);
  const entries: KeytabEntry[] = [];
  let at = 2;
  while (at < file.length) {
    if (at + 4 > file.length) throw new KeytabError(`entry size cut short at byte ${at}`);
    const size = file.readInt32BE(at);
    at += 4;
    if (size < 0) {
      at += -size;
      continue;
    }
    if (size > MAX_ENTRY_BYTES || at + size > file.length) throw new KeytabError(`entry at byte ${at - 4} of ${size} bytes runs past the end`);
    entries.push(parseEntry(file.subarray(at, at + size), at));
    at += size;
  }
  return entries;
}

function parseEntry(entry: Buffer, offset: number): KeytabEntry {
  let at = 0;
  const need = (n: number) => {
    if (at + n > entry.length) throw new KeytabError(`entry at byte ${offset} cut short`);
  };
  const u16 = () => {
    need(2);
    at += 2;
    return entry.readUInt16BE(at - 2);
  };
  const u32 = () => {
    need(4);
    at += 4;
    return entry.readUInt32BE(at - 4);
  };
  const counted = () => {
    const n = u16();
    need(n);
    at += n;
    return entry.subarray(at - n, at);
  };
  const count = u16();
  if (count === 0 || count > MAX_COMPONENTS) throw new KeytabError(`entry at byte ${offset} has ${count} name components`);
  const realm = counted().toString('utf8');
  const components: string[] = [];
  for (let i = 0; i < count; i++) components.push(counted().toString('utf8'));
  u32(); // name type
  u32(); // timestamp
  need(1);
  let kvno = entry[at++]!;
  const etype = u16();
  const key = Buffer.from(counted());
  // The optional 32-bit kvno supersedes the 8-bit one unless it is zero (MIT's rule).
  if (at + 4 <= entry.length) {
    const wide = u32();
    if (wide !== 0) kvno = wide;
  }
  return { components, realm, kvno, etype, key };
}
