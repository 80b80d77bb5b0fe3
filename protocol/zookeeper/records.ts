// The records of zookeeper.jute (data, proto and txn modules) that the client protocol and Skein's
// transaction log use, field for field in wire order.
import { bigLong, bool, buffer, int, long, record, ustring, vector, zxid, type JuteValue } from './jute.js';

// --- org.apache.zookeeper.data

export const Id = record({ scheme: ustring, id: ustring });
export type Id = JuteValue<typeof Id>;

export const ACL = record({ perms: int, id: Id });
export type ACL = JuteValue<typeof ACL>;
export const ACLList = vector(ACL);

export const Stat = record({
  czxid: zxid,
  mzxid: zxid,
  ctime: long,
  mtime: long,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: bigLong,
  dataLength: int,
  numChildren: int,
  pzxid: zxid,
});
export type Stat = JuteValue<typeof Stat>;

export const ClientInfo = record({ authScheme: ustring, user: ustring });
export type ClientInfo = JuteValue<typeof ClientInfo>;

// --- org.apache.zookeeper.proto

export const RequestHeader = record({ xid: int, type: int });
export type RequestHeader = JuteValue<typeof RequestHeader>;

export const ReplyHeader = record({ xid: int, zxid, err: int });
export type ReplyHeader = JuteValue<typeof ReplyHeader>;

export const MultiHeader = record({ type: int, done: bool, err: int });
export type MultiHeader = JuteValue<typeof MultiHeader>;

export const AuthPacket = record({ type: int, scheme: ustring, auth: buffer });
export type AuthPacket = JuteValue<typeof AuthPacket>;

/** A client's SASL token (GetSASLRequest, opcode 102) and the server's answer (SetSASLResponse). */
export const GetSASLRequest = record({ token: buffer });
export const SetSASLResponse = record({ token: buffer });

const strings = vector(ustring);

export const SetWatches = record({
  relativeZxid: zxid,
  dataWatches: strings,
  existWatches: strings,
  childWatches: strings,
});
export type SetWatches = JuteValue<typeof SetWatches>;

export const SetWatches2 = record({
  relativeZxid: zxid,
  dataWatches: strings,
  existWatches: strings,
  childWatches: strings,
  persistentWatches: strings,
  persistentRecursiveWatches: strings,
});
export type SetWatches2 = JuteValue<typeof SetWatches2>;

export const CreateRequest = record({ path: ustring, data: buffer, acl: ACLList, flags: int });
export type CreateRequest = JuteValue<typeof CreateRequest>;

export const CreateTTLRequest = record({ path: ustring, data: buffer, acl: ACLList, flags: int, ttl: long });
export type CreateTTLRequest = JuteValue<typeof CreateTTLRequest>;

export const DeleteRequest = record({ path: ustring, version: int });
export type DeleteRequest = JuteValue<typeof DeleteRequest>;

/** exists, getData, getChildren and getChildren2 requests share this shape. */
export const PathWatchRequest = record({ path: ustring, watch: bool });
export type PathWatchRequest = JuteValue<typeof PathWatchRequest>;

/** sync, getACL, getAllChildrenNumber and getEphemerals (prefixPath) requests share this shape. */
export const PathRequest = record({ path: ustring });
export type PathRequest = JuteValue<typeof PathRequest>;

export const SetDataRequest = record({ path: ustring, data: buffer, version: int });
export type SetDataRequest = JuteValue<typeof SetDataRequest>;

export const CheckVersionRequest = record({ path: ustring, version: int });
export type CheckVersionRequest = JuteValue<typeof CheckVersionRequest>;

export const SetACLRequest = record({ path: ustring, acl: ACLList, version: int });
export type SetACLRequest = JuteValue<typeof SetACLRequest>;

/** checkWatches and removeWatches requests share this shape. */
export const WatchesRequest = record({ path: ustring, type: int });
export type WatchesRequest = JuteValue<typeof WatchesRequest>;

export const AddWatchRequest = record({ path: ustring, mode: int });
export type AddWatchRequest = JuteValue<typeof AddWatchRequest>;

export const ReconfigRequest = record({
  joiningServers: ustring,
  leavingServers: ustring,
  newMembers: ustring,
  curConfigId: zxid,
});

export const WatcherEvent = record({ type: int, state: int, path: ustring });
export type WatcherEvent = JuteValue<typeof WatcherEvent>;

export const ErrorResponse = record({ err: int });
export const CreateResponse = record({ path: ustring });
export const Create2Response = record({ path: ustring, stat: Stat });
/** exists, setData and setACL responses: a Stat alone. */
export const StatResponse = record({ stat: Stat });
export const GetDataResponse = record({ data: buffer, stat: Stat });
export type GetDataResponse = JuteValue<typeof GetDataResponse>;
export const GetChildrenResponse = record({ children: strings });
export const GetChildren2Response = record({ children: strings, stat: Stat });
export const GetACLResponse = record({ acl: ACLList, stat: Stat });
export const GetAllChildrenNumberResponse = record({ totalNumber: int });
/** sync's response (path) has the same shape as create's. */
export const SyncResponse = CreateResponse;
export const GetEphemeralsResponse = record({ ephemerals: strings });
export const WhoAmIResponse = record({ clientInfo: vector(ClientInfo) });

// --- org.apache.zookeeper.txn

export const TxnHeader = record({ clientId: bigLong, cxid: int, zxid, time: long, type: int });
export type TxnHeader = JuteValue<typeof TxnHeader>;

export const CreateTxn = record({ path: ustring, data: buffer, acl: ACLList, ephemeral: bool, parentCVersion: int });
export type CreateTxn = JuteValue<typeof CreateTxn>;

export const CreateTTLTxn = record({ path: ustring, data: buffer, acl: ACLList, parentCVersion: int, ttl: long });
export type CreateTTLTxn = JuteValue<typeof CreateTTLTxn>;

export const CreateContainerTxn = record({ path: ustring, data: buffer, acl: ACLList, parentCVersion: int });
export type CreateContainerTxn = JuteValue<typeof CreateContainerTxn>;

export const DeleteTxn = record({ path: ustring });
export type DeleteTxn = JuteValue<typeof DeleteTxn>;

export const SetDataTxn = record({ path: ustring, data: buffer, version: int });
export type SetDataTxn = JuteValue<typeof SetDataTxn>;

export const CheckVersionTxn = record({ path: ustring, version: int });
export type CheckVersionTxn = JuteValue<typeof CheckVersionTxn>;

export const SetACLTxn = record({ path: ustring, acl: ACLList, version: int });
export type SetACLTxn = JuteValue<typeof SetACLTxn>;

export const CreateSessionTxn = record({ timeOut: int });
export type CreateSessionTxn = JuteValue<typeof CreateSessionTxn>;

export const CloseSessionTxn = record({ paths2Delete: strings });
export type CloseSessionTxn = JuteValue<typeof CloseSessionTxn>;

export const ErrorTxn = record({ err: int });
export type ErrorTxn = JuteValue<typeof ErrorTxn>;

/** One operation inside a MultiTxn: its type and its record's bytes. */
export const Txn = record({ type: int, data: buffer });
export const MultiTxn = record({ txns: vector(Txn) });
