"""kazoo's SASL DIGEST-MD5 login against a server with JAAS users (see zk-auth.test.ts).

Input (JSON on stdin): {"hosts": "...", "enforced": bool}. Logs in with sasl_options and with the legacy
auth_data=[("sasl", "user:password")], creates a node only sasl:alice may read, reads it anonymously
(NoAuth) and as the super user (not when enforced: an anonymous client would be closed), and logs in
with a wrong password. Prints one JSON object of what each client saw.
"""
import json
import sys
import time
import warnings

from kazoo.client import KazooClient
from kazoo.exceptions import AuthFailedError, NoAuthError
from kazoo.security import make_acl

# The legacy auth_data form warns that it is deprecated; it is what is being tested.
warnings.simplefilter('ignore')
args = json.load(sys.stdin)
out = {}


def client(user=None, password=None, legacy=False):
    if user is None:
        return KazooClient(hosts=args['hosts'], timeout=5)
    if legacy:
        return KazooClient(hosts=args['hosts'], timeout=5, auth_data=[('sasl', '%s:%s' % (user, password))])
    return KazooClient(hosts=args['hosts'], timeout=5,
                       sasl_options={'mechanism': 'DIGEST-MD5', 'username': user, 'password': password})


alice = client('alice', 'alice_secret')
alice.start(timeout=5)
alice.create('/sasl-kazoo', b'alice only', acl=[make_acl('sasl', 'alice', all=True)])
out['mine'] = alice.get('/sasl-kazoo')[0].decode()
alice.stop()
alice.close()

legacy = client('alice', 'alice_secret', legacy=True)
legacy.start(timeout=5)
out['legacy'] = legacy.get('/sasl-kazoo')[0].decode()
legacy.stop()
legacy.close()

if not args['enforced']:
    anonymous = client()
    anonymous.start(timeout=5)
    try:
        anonymous.get('/sasl-kazoo')
        out['anonymous'] = 'read'
    except NoAuthError:
        out['anonymous'] = 'NoAuth'
    anonymous.stop()
    anonymous.close()
    root = client('super', 'super_secret')
    root.start(timeout=5)
    out['super'] = root.get('/sasl-kazoo')[0].decode()
    root.stop()
    root.close()

# kazoo reports CONNECTED before its SASL login, so start() may return before the refusal arrives; the
# refused client ends CLOSED (as against Apache ZooKeeper 3.8.0).
bad = client('alice', 'not-her-password')
try:
    bad.start(timeout=5)
except AuthFailedError:
    pass
deadline = time.time() + 5
while bad.client_state != 'CLOSED' and time.time() < deadline:
    time.sleep(0.05)
out['wrong'] = bad.client_state
bad.stop()
bad.close()
print(json.dumps(out))
