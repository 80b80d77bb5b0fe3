// ZooKeeper's wire numbers: request types, error codes, watch event types, permissions, create modes.

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

export const ErrorCode = {
  ok: 0,
  systemError: -1,
  runtimeInconsistency: -2,
  dataInconsistency: -3,
  connectionLoss: -4,
  marshallingError: -5,
  unimplemented: -6,
  operationTimeout: -7,
  badArguments: -8,
  unknownSession: -12,
  newConfigNoQuorum: -13,
  reconfigInProgress: -14,
  apiError: -100,
  noNode: -101,
  noAuth: -102,
  badVersion: -103,
  noChildrenForEphemerals: -108,
  nodeExists: -110,
  notEmpty: -111,
  sessionExpired: -112,
  invalidCallback: -113,
  invalidACL: -114,
  authFailed: -115,
  sessionMoved: -118,
  notReadOnly: -119,
  ephemeralOnLocalSession: -120,
  noWatcher: -121,
  requestTimeout: -122,
  reconfigDisabled: -123,
  sessionClosedRequireSaslAuth: -124,
  quotaExceeded: -125,
  throttledOp: -127,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A request that fails with a ZooKeeper error code (KeeperException). */
export class KeeperError extends Error {
  override readonly name = 'KeeperError';
  constructor(
    readonly code: ErrorCode,
    readonly path?: string,
  ) {
    super(path === undefined ? `error ${code}` : `error ${code} for ${path}`);
  }
}

/** Reserved xids of requests and replies that are not client calls. */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

export const EventType = {
  none: -1,
  nodeCreated: 1,
  nodeDeleted: 2,
  nodeDataChanged: 3,
  nodeChildrenChanged: 4,
  dataWatchRemoved: 5,
  childWatchRemoved: 6,
  persistentWatchRemoved: 7,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const KeeperState = {
  disconnected: 0,
  syncConnected: 3,
  authFailed: 4,
  connectedReadOnly: 5,
  expired: -112,
  closed: 7,
} as const;

export const Perms = {
  read: 1,
  write: 2,
  create: 4,
  delete: 8,
  admin: 16,
  all: 31,
} as const;

/** What a create request's flags ask for (ZooKeeper's CreateMode). */
export interface CreateMode {
  ephemeral: boolean;
  sequential: boolean;
  container: boolean;
  ttl: boolean;
}

/**
 * Indexed by flag value: persistent, ephemeral, persistent and ephemeral sequential, container,
 * persistent with TTL, persistent sequential with TTL.
 */
const CREATE_MODES: readonly CreateMode[] = [
  { ephemeral: false, sequential: false, container: false, ttl: false },
  { ephemeral: true, sequential: false, container: false, ttl: false },
  { ephemeral: false, sequential: true, container: false, ttl: false },
  { ephemeral: true, sequential: true, container: false, ttl: false },
  { ephemeral: false, sequential: false, container: true, ttl: false },
  { ephemeral: false, sequential: false, container: false, ttl: true },
  { ephemeral: false, sequential: true, container: false, ttl: true },
];

/** The mode a create request's flags name, or undefined for an unknown flag value. */
export function createModeOf(flags: number): CreateMode | undefined {
  return CREATE_MODES[flags];
}

/** removeWatches / checkWatches watcher types. */
export const WatcherType = {
  children: 1,
  data: 2,
  any: 3,
  persistent: 4,
  persistentRecursive: 5,
} as const;

/** addWatch modes. */
export const AddWatchMode = {
  persistent: 0,
  persistentRecursive: 1,
} as const;

/** Largest TTL a TTL node may carry (ms): the bits ZooKeeper leaves for it in ephemeralOwner. */
export const MAX_TTL_MS = 2 ** 40 - 1;
