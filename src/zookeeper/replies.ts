// Reply frames: size prefix, ReplyHeader (xid, zxid, err), then the body record if any.
import { Writer } from '../../protocol/bytes.js';
import { EventType, KeeperState, Xid } from '../../protocol/zookeeper/codes.js';
import { zxid as juteZxid, type JuteType } from '../../protocol/zookeeper/jute.js';
import { WatcherEvent } from '../../protocol/zookeeper/records.js';

/** A reply body: something that writes itself after the header. */
export interface Body {
  write(w: Writer): void;
  /** Bytes of znode data it carries, so the frame buffer can be sized to hold them. */
  readonly dataBytes: number;
}

export function body<T>(type: JuteType<T>, value: T, dataBytes = 0): Body {
  return { write: (w) => type.write(w, value), dataBytes };
}

/** Room for a header, a Stat and a path or two; larger bodies say how much data they add. */
const BODY_BYTES = 384;

/** A whole reply frame, size prefix included, as chunks to write. */
export function replyFrame(xid: number, zxid: bigint, err: number, payload?: Body): Buffer[] {
  // Data of 1 KiB or more is passed by reference, so only smaller data needs room here.
  const data = payload && payload.dataBytes < 1024 ? payload.dataBytes : 0;
  const w = new Writer(payload ? BODY_BYTES + data : 20);
  const size = w.reserveInt32();
  w.int32(xid);
  juteZxid.write(w, zxid);
  w.int32(err);
  if (payload) payload.write(w);
  size(w.length - 4);
  return w.chunksOut();
}

/** A watch notification: xid -1 and, as ZooKeeper 3.8 sends it, zxid -1. */
export function eventFrame(type: EventType, path: string): Buffer[] {
  return replyFrame(Xid.notification, -1n, 0, body(WatcherEvent, { type, state: KeeperState.syncConnected, path }));
}
