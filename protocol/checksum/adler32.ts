// Adler-32 (RFC 1950), the checksum Apache ZooKeeper puts on every transaction log record and at the end
// of its snapshots (java.util.zip.Adler32). Pure; `running` continues a checksum over more bytes.

const MOD = 65521;
/** Bytes summed before reducing: the most that keeps both sums below 2^53 is far more; 5552 is zlib's bound for 32 bits. */
const CHUNK = 5552;

export function adler32(data: Uint8Array, running = 1): number {
  let a = running & 0xffff;
  let b = running >>> 16;
  for (let start = 0; start < data.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, data.length);
    for (let i = start; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}
