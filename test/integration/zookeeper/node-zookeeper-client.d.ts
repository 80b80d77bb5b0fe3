// The part of node-zookeeper-client's API the integration tests use (the package ships no types).
declare module 'node-zookeeper-client' {
  import type { EventEmitter } from 'node:events';

  export class Id {
    constructor(scheme: string, id: string);
    scheme: string;
    id: string;
  }
  export class ACL {
    constructor(permission: number, id: Id);
    permission: number;
    id: Id;
    static OPEN_ACL_UNSAFE: ACL[];
    static CREATOR_ALL_ACL: ACL[];
    static READ_ACL_UNSAFE: ACL[];
  }
  export const Permission: { READ: number; WRITE: number; CREATE: number; DELETE: number; ADMIN: number; ALL: number };
  export const CreateMode: { PERSISTENT: number; EPHEMERAL: number; PERSISTENT_SEQUENTIAL: number; EPHEMERAL_SEQUENTIAL: number };
  export interface Stat {
    czxid: Buffer;
    mzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
    pzxid: Buffer;
  }
  export interface Event {
    type: number;
    name: string;
    path: string;
    getType(): number;
    getName(): string;
    getPath(): string;
  }
  export const Event: { NODE_CREATED: number; NODE_DELETED: number; NODE_DATA_CHANGED: number; NODE_CHILDREN_CHANGED: number };
  export interface Exception extends Error {
    code: number;
    name: string;
    getCode(): number;
  }
  export const Exception: {
    OK: number;
    CONNECTION_LOSS: number;
    NO_NODE: number;
    NODE_EXISTS: number;
    BAD_VERSION: number;
    NOT_EMPTY: number;
    NO_AUTH: number;
    INVALID_ACL: number;
    AUTH_FAILED: number;
    NO_CHILDREN_FOR_EPHEMERALS: number;
    BAD_ARGUMENTS: number;
    SESSION_EXPIRED: number;
    RUNTIME_INCONSISTENCY: number;
  };
  export interface State {
    name: string;
    code: number;
  }
  export const State: {
    SYNC_CONNECTED: State;
    DISCONNECTED: State;
    EXPIRED: State;
    AUTH_FAILED: State;
  };
  type Cb<T> = (error: Exception | null, result: T) => void;
  type Watcher = (event: Event) => void;
  export interface TransactionResult {
    type: number;
    err: number;
    path?: string;
    stat?: Stat;
  }
  export interface Transaction {
    create(path: string, data?: Buffer | null, acls?: ACL[], mode?: number): Transaction;
    setData(path: string, data: Buffer | null, version?: number): Transaction;
    check(path: string, version?: number): Transaction;
    remove(path: string, version?: number): Transaction;
    commit(callback: (error: Exception | null, results: TransactionResult[]) => void): void;
  }
  export interface Client extends EventEmitter {
    connect(): void;
    close(): void;
    getState(): State;
    getSessionId(): Buffer;
    getSessionPassword(): Buffer;
    getSessionTimeout(): number;
    addAuthInfo(scheme: string, auth: Buffer): void;
    create(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: Cb<string>): void;
    remove(path: string, version: number, callback: (error: Exception | null) => void): void;
    exists(path: string, watcher: Watcher | undefined, callback: Cb<Stat | null>): void;
    getData(path: string, watcher: Watcher | undefined, callback: (e: Exception | null, data: Buffer, stat: Stat) => void): void;
    setData(path: string, data: Buffer | null, version: number, callback: Cb<Stat>): void;
    getChildren(path: string, watcher: Watcher | undefined, callback: (e: Exception | null, children: string[], stat: Stat) => void): void;
    getACL(path: string, callback: (e: Exception | null, acls: ACL[], stat: Stat) => void): void;
    setACL(path: string, acls: ACL[], version: number, callback: Cb<Stat>): void;
    mkdirp(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: Cb<string>): void;
    removeRecursive(path: string, version: number, callback: (error: Exception | null) => void): void;
    transaction(): Transaction;
  }
  export function createClient(
    connectionString: string,
    options?: { sessionTimeout?: number; spinDelay?: number; retries?: number },
  ): Client;
}
