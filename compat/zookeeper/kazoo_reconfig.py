"""kazoo's reconfig against an ensemble, as the super user.

Reads JSON on stdin: {"hosts", "digest": "user:password", "joining", "leaving", "new_members",
"from_config"} (absent or null fields are None, from_config -1 by default). Prints JSON: the new
configuration and its version, or the name of the exception kazoo raised.
"""
import json
import sys

from kazoo.client import KazooClient

req = json.load(sys.stdin)
zk = KazooClient(hosts=req["hosts"], auth_data=[("digest", req["digest"])], timeout=20)
zk.start(timeout=30)
try:
    data, stat = zk.reconfig(
        joining=req.get("joining"),
        leaving=req.get("leaving"),
        new_members=req.get("new_members"),
        from_config=req.get("from_config", -1),
    )
    out = {"config": data.decode(), "mzxid": stat.mzxid}
except Exception as e:  # noqa: BLE001 - the exception's class is the observation
    out = {"error": type(e).__name__}
finally:
    zk.stop()
    zk.close()
print(json.dumps(out))
