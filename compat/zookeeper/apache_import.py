# kazoo's side of apache-import.test.ts.
#   write HOST N   writes N znodes (nested, with digest ACLs on every 7th, data changed on every 3rd, every 5th
#                  deleted), sequentials, a multi and ACL changes, then ephemerals of a session left open
#                  (the process exits without closing it); prints that session's id in hex
#   dump HOST      prints every znode below / as JSON lines: path, data (hex), stat, ACL, sorted by path
import json
import sys

from kazoo.client import KazooClient
from kazoo.security import OPEN_ACL_UNSAFE, make_acl, make_digest_acl

CONNECT_S = 60


def connect(host, timeout=30.0):
    zk = KazooClient(hosts=host, timeout=timeout)
    zk.start(timeout=CONNECT_S)
    return zk


def write(host, n):
    zk = connect(host)
    zk.add_auth('digest', 'alice:secret')
    guarded = [make_digest_acl('alice', 'secret', all=True), make_acl('world', 'anyone', read=True)]
    zk.create('/app', b'root')

    def path(i):
        return '/app/n%d' % i if i < 50 else '/app/n%d/c%d' % (i % 50, i)

    for i in range(50):
        zk.create(path(i), b'v%d' % i, acl=guarded if i % 7 == 0 else OPEN_ACL_UNSAFE)
    pending = [zk.create_async(path(i), b'v%d' % i, acl=guarded if i % 7 == 0 else OPEN_ACL_UNSAFE) for i in range(50, n)]
    for p in pending:
        p.get(timeout=CONNECT_S)
    for p in [zk.set_async(path(i), b'changed%d' % i) for i in range(0, n, 3)]:
        p.get(timeout=CONNECT_S)
    for p in [zk.delete_async(path(i)) for i in range(50, n, 5)]:
        p.get(timeout=CONNECT_S)
    for _ in range(20):
        zk.create('/app/seq-', b'q', sequence=True)
    zk.set_acls('/app/n1', guarded)
    zk.set_acls('/app/n2', OPEN_ACL_UNSAFE)
    t = zk.transaction()
    t.create('/app/multi', b'm')
    t.set_data('/app/n3', b'in a multi')
    t.delete('/app/n4/c54')
    t.commit()
    zk.create('/app/empty', None)
    zk.stop()
    # A session the server still has when it stops: its ephemerals are in the data directory.
    owner = connect(host, timeout=40.0)
    for i in range(10):
        owner.create('/app/eph%d' % i, b'e', ephemeral=True)
    owner.create('/app/ephseq-', b'e', ephemeral=True, sequence=True)
    print('%x' % owner.client_id[0])
    sys.stdout.flush()


def dump(host):
    zk = connect(host)
    out = []
    pending = ['/']
    while pending:
        batch, pending = pending[:500], pending[500:]
        gets = [(p, zk.get_async(p), zk.get_acls_async(p), zk.get_children_async(p)) for p in batch]
        for p, g, a, c in gets:
            data, stat = g.get(timeout=CONNECT_S)
            acl, _ = a.get(timeout=CONNECT_S)
            stat_fields = {k: getattr(stat, k) for k in ('czxid', 'mzxid', 'ctime', 'mtime', 'version', 'cversion', 'aversion',
                                                         'dataLength', 'numChildren', 'pzxid')}
            # In hex: a session id is beyond what a JSON number keeps exactly.
            stat_fields['ephemeralOwner'] = '%x' % (stat.ephemeralOwner & (2 ** 64 - 1))
            out.append({
                'path': p,
                'data': None if data is None else data.hex(),
                'stat': stat_fields,
                'acl': [[x.perms, x.id.scheme, x.id.id] for x in acl],
            })
            pending.extend((p.rstrip('/') + '/' + child) for child in c.get(timeout=CONNECT_S))
    zk.stop()
    for node in sorted(out, key=lambda x: x['path']):
        print(json.dumps(node))


if __name__ == '__main__':
    if sys.argv[1] == 'write':
        write(sys.argv[2], int(sys.argv[3]))
        # Exit without closing the ephemerals' session (os._exit skips kazoo's shutdown).
        import os
        os._exit(0)
    dump(sys.argv[2])
