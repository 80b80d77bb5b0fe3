"""kazoo's recipes against a ZooKeeper server: prints one JSON object of observations per recipe.

usage: python3 kazoo_recipes.py HOST:PORT RECIPE
"""
import json
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, RolledBackError
from kazoo.recipe.barrier import Barrier
from kazoo.recipe.counter import Counter
from kazoo.recipe.election import Election
from kazoo.recipe.lock import Lock
from kazoo.recipe.queue import LockingQueue
from kazoo.recipe.watchers import ChildrenWatch, DataWatch

HOSTS = sys.argv[1]


def client():
    zk = KazooClient(hosts=HOSTS, timeout=10)
    zk.start(timeout=15)
    return zk


def wait_for(check, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def lock():
    clients = [client() for _ in range(3)]
    spans = []
    spans_lock = threading.Lock()

    def worker(zk, name):
        for _ in range(3):
            with Lock(zk, "/recipes/lock", name):
                start = time.time()
                time.sleep(0.02)
                with spans_lock:
                    spans.append((start, time.time(), name))

    threads = [threading.Thread(target=worker, args=(zk, f"w{i}")) for i, zk in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spans.sort()
    overlaps = sum(1 for a, b in zip(spans, spans[1:]) if b[0] < a[1])
    contenders = Lock(clients[0], "/recipes/lock").contenders()
    for zk in clients:
        zk.stop()
    return {"holds": len(spans), "overlaps": overlaps, "contenders_after": contenders}


def election():
    clients = [client() for _ in range(3)]
    leaders = []
    active = []
    max_active = [0]
    guard = threading.Lock()

    def lead(name):
        with guard:
            leaders.append(name)
            active.append(name)
            max_active[0] = max(max_active[0], len(active))
        time.sleep(0.1)
        with guard:
            active.remove(name)

    elections = [Election(zk, "/recipes/election", f"c{i}") for i, zk in enumerate(clients)]
    threads = [threading.Thread(target=e.run, args=(lead, f"c{i}")) for i, e in enumerate(elections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    for zk in clients:
        zk.stop()
    return {"leaders": sorted(leaders), "max_concurrent_leaders": max_active[0]}


def counter():
    clients = [client() for _ in range(3)]

    def bump(zk):
        c = Counter(zk, "/recipes/counter")
        for _ in range(20):
            c += 1

    threads = [threading.Thread(target=bump, args=(zk,)) for zk in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    value = Counter(clients[0], "/recipes/counter").value
    for zk in clients:
        zk.stop()
    return {"value": value}


def barrier():
    a, b = client(), client()
    gate = Barrier(a, "/recipes/barrier")
    gate.create()
    result = {}

    def waiter():
        result["passed"] = Barrier(b, "/recipes/barrier").wait(10)

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.3)
    result["waiting_before_remove"] = t.is_alive()
    gate.remove()
    t.join(10)
    a.stop()
    b.stop()
    return result


def locking_queue():
    producer, consumer = client(), client()
    q = LockingQueue(producer, "/recipes/queue")
    q.put(b"first")
    q.put(b"urgent", priority=1)
    q.put(b"second")
    cq = LockingQueue(consumer, "/recipes/queue")
    got = []
    for _ in range(3):
        item = cq.get(5)
        got.append(item.decode())
        cq.consume()
    remaining = len(cq)
    producer.stop()
    consumer.stop()
    return {"got": got, "remaining": remaining}


def data_watch():
    zk, writer = client(), client()
    writer.ensure_path("/recipes/dw")
    seen = []
    DataWatch(zk, "/recipes/dw", func=lambda data, stat: seen.append(None if data is None else data.decode()))
    for value in (b"one", b"two", b"three"):
        writer.set("/recipes/dw", value)
        wait_for(lambda v=value: seen and seen[-1] == v.decode())
    writer.delete("/recipes/dw")
    wait_for(lambda: seen[-1] is None)
    zk.stop()
    writer.stop()
    return {"seen": seen}


def children_watch():
    zk, writer = client(), client()
    writer.ensure_path("/recipes/cw")
    seen = []
    ChildrenWatch(zk, "/recipes/cw", func=lambda children: seen.append(sorted(children)))
    for name in ("a", "b"):
        writer.create(f"/recipes/cw/{name}")
        wait_for(lambda n=name: seen and n in seen[-1])
    writer.delete("/recipes/cw/a")
    wait_for(lambda: seen[-1] == ["b"])
    zk.stop()
    writer.stop()
    return {"seen": seen}


def transactions():
    zk = client()
    zk.ensure_path("/recipes/tx")
    t = zk.transaction()
    t.create("/recipes/tx/a", b"1")
    t.set_data("/recipes/tx", b"x", version=0)
    t.check("/recipes/tx", 1)
    ok = t.commit()
    t = zk.transaction()
    t.create("/recipes/tx/b", b"2")
    t.check("/recipes/tx", 99)
    t.delete("/recipes/tx/a")
    failed = t.commit()
    result = {
        "ok": [r if isinstance(r, (bool, str)) else type(r).__name__ for r in ok],
        "failed": [type(r).__name__ if isinstance(r, Exception) else r for r in failed],
        "b_exists": zk.exists("/recipes/tx/b") is not None,
        "a_exists": zk.exists("/recipes/tx/a") is not None,
        "rolled_back": isinstance(failed[0], RolledBackError) and isinstance(failed[1], BadVersionError),
        "server_version": list(zk.server_version()),
    }
    zk.stop()
    return result


def reconfig():
    """What a standalone server with reconfigEnabled=true answers, and its (empty) /zookeeper/config."""
    zk = client()
    try:
        zk.reconfig(joining="server.2=localhost:2889:3889", leaving=None, new_members=None)
        error = None
    except Exception as e:  # noqa: BLE001 - the exception's class is the observation
        error = type(e).__name__
    data, _ = zk.get("/zookeeper/config")
    zk.stop()
    return {"error": error, "config": data.decode()}


RECIPES = {
    "lock": lock,
    "election": election,
    "counter": counter,
    "barrier": barrier,
    "locking_queue": locking_queue,
    "data_watch": data_watch,
    "children_watch": children_watch,
    "transactions": transactions,
    "reconfig": reconfig,
}

if __name__ == "__main__":
    print(json.dumps(RECIPES[sys.argv[2]]()))
