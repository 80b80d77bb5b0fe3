"""kazoo clients that the ensemble failover tests drive while they kill servers.

usage: python3 kazoo_ensemble.py MODE CONFIG_JSON

Prints one JSON object per line on stdout (each with "event" and "t", the wall clock in ms); reads
commands from stdin ("stop"; the end of stdin ends the process at once). Modes:
  writer     creates PREFIX/c-NNNNNNN and sets SET_PATH to the same counter, in a loop; reports each
             acknowledged write (with "sent", when it was sent), its session and every connection state; "stop" ends the loop, closes
             the session and reports the session id again. (No watches: kazoo 2.8 never sends
             SetWatches, so a server it moves to does not know the watches it set before.)
  ephemeral  creates ephemeral nodes PATHS, reports its session and "ready", then waits to be killed
  lock       WORKERS clients take the Lock at PATH in turn, holding it HOLD_MS each time, until "stop";
             reports each hold (start and end)
  election   WORKERS clients run the Election at PATH in turn, each leading for HOLD_MS, until "stop";
             reports each term (start and end)
"""
import json
import os
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.recipe.election import Election
from kazoo.recipe.lock import Lock
from kazoo.retry import KazooRetry

MODE = sys.argv[1]
CFG = json.loads(sys.argv[2])
OUT = threading.Lock()
STOP = threading.Event()


def emit(event, **fields):
    with OUT:
        sys.stdout.write(json.dumps({"event": event, "t": time.time() * 1000, **fields}) + "\n")
        sys.stdout.flush()


def read_commands():
    for line in sys.stdin:
        if line.strip() == "stop":
            STOP.set()
    # stdin closed: the test is gone, and a call blocked on a dead ensemble would never return.
    os._exit(1)


def client():
    # Retry connecting quickly and forever: the tests measure how soon a client carries on.
    zk = KazooClient(
        hosts=CFG["hosts"],
        timeout=CFG.get("timeout_s", 10),
        randomize_hosts=CFG.get("randomize_hosts", True),
        connection_retry=KazooRetry(max_tries=-1, delay=0.05, backoff=1.5, max_delay=0.5),
    )
    zk.add_listener(lambda state: emit("state", state=str(state)))
    zk.start(timeout=30)
    return zk


def session(zk):
    return "0x%x" % zk.client_id[0]


def writer():
    zk = client()
    emit("session", id=session(zk))
    emit("ready")
    i = 0
    while not STOP.is_set():
        i += 1
        path = "%s/c-%07d" % (CFG["prefix"], i)
        try:
            sent = time.time() * 1000
            zk.create(path, str(i).encode())
            emit("ack", op="create", path=path, sent=sent)
            sent = time.time() * 1000
            stat = zk.set(CFG["set_path"], str(i).encode())
            emit("ack", op="set", value=i, version=stat.version, sent=sent)
        except KazooException as e:
            # Not acknowledged: the write may or may not have happened. The next one gets a new name.
            emit("error", error=type(e).__name__)
        time.sleep(CFG.get("pause_ms", 20) / 1000)
    emit("end", session=session(zk))
    zk.stop()
    zk.close()


def ephemeral():
    zk = client()
    for path in CFG["paths"]:
        zk.create(path, b"owned", ephemeral=True)
    emit("session", id=session(zk))
    emit("ready")
    STOP.wait()


def take_turns(recipe_for):
    """WORKERS clients, each in a thread, repeatedly run `recipe_for(zk, name)`'s critical section."""
    clients = [client() for _ in range(CFG["workers"])]
    hold = CFG.get("hold_ms", 100) / 1000

    def section(name):
        emit("begin", who=name)
        time.sleep(hold)
        emit("end", who=name)

    def worker(zk, name):
        while not STOP.is_set():
            try:
                recipe_for(zk, name, lambda: section(name))
            except KazooException as e:
                emit("error", who=name, error=type(e).__name__)
                time.sleep(0.05)

    threads = [threading.Thread(target=worker, args=(zk, "w%d" % k)) for k, zk in enumerate(clients)]
    for t in threads:
        t.start()
    emit("ready", sessions=[session(zk) for zk in clients])
    for t in threads:
        t.join()
    for zk in clients:
        zk.stop()
        zk.close()
    emit("done")


def lock_section(zk, name, section):
    with Lock(zk, CFG["path"], name):
        section()


def election_section(zk, name, section):
    # run() returns once this candidate's term (the function) is over.
    Election(zk, CFG["path"], name).run(section)


threading.Thread(target=read_commands, daemon=True).start()
{
    "writer": writer,
    "ephemeral": ephemeral,
    "lock": lambda: take_turns(lock_section),
    "election": lambda: take_turns(election_section),
}[MODE]()
