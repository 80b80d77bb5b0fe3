// ACL lists interned by value: most znodes share a handful of lists (world:anyone:cdrwa above all), so
// each distinct list is stored once, reference-counted, and carries the permissions it grants to
// everyone so that the common permission check needs no scan.
import { Perms } from '../../protocol/zookeeper/codes.js';
import type { ACL } from '../../protocol/zookeeper/records.js';

export class AclSet {
  /** Permissions granted to world:anyone, checked before any per-identity match. */
  readonly worldPerms: number;
  refs = 0;

  constructor(
    readonly entries: readonly ACL[],
    readonly key: string,
  ) {
    let world = 0;
    for (const a of entries) if (a.id.scheme === 'world' && a.id.id === 'anyone') world |= a.perms;
    this.worldPerms = world;
  }
}

function keyOf(acl: readonly ACL[]): string {
  let key = '';
  for (const a of acl) key += `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}\u0001`;
  return key;
}

export const OPEN_ACL: readonly ACL[] = [{ perms: Perms.all, id: { scheme: 'world', id: 'anyone' } }];
export const READ_ACL: readonly ACL[] = [{ perms: Perms.read, id: { scheme: 'world', id: 'anyone' } }];

export class AclCache {
  private readonly byKey = new Map<string, AclSet>();

  /** The shared set equal to `acl`, with one more reference. */
  acquire(acl: readonly ACL[]): AclSet {
    const key = keyOf(acl);
    let set = this.byKey.get(key);
    if (!set) {
      set = new AclSet(
        acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } })),
        key,
      );
      this.byKey.set(key, set);
    }
    set.refs++;
    return set;
  }

  release(set: AclSet): void {
    if (--set.refs <= 0) this.byKey.delete(set.key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
