#!/usr/bin/python3
"""Runs kazoo's own test suite (Debian's python3-kazoo ships it as kazoo.tests) against Skein or against
Apache ZooKeeper 3.8.0 (Debian's `zookeeper` package), through kazoo's unchanged harness.

    run.py [--timeout SECONDS] skein|apache SIZE [pytest arguments...]

SIZE is ZOOKEEPER_CLUSTER_SIZE: 1 runs one standalone server, 3 an ensemble. The harness starts each
server as `java ... QuorumPeerMain zoo.cfg`; for skein, the `java` beside this file comes first on PATH
and runs `node dist/src/cli/main.js zookeeper --config zoo.cfg` instead (build dist/ first). The harness
puts server i's ports at ZOOKEEPER_PORT_OFFSET + 10*i + 0..3; the offset is chosen here so that every one
of them is free, because other test runs share the machine. The harness's server directories go to a
temporary directory removed afterwards. Exits with pytest's status; past --timeout, kills pytest and every
server it started (they share pytest's process group) and exits 124.
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
APACHE_CLASSPATH = ':'.join('/usr/share/java/' + jar for jar in ['zookeeper.jar', 'log4j-1.2.jar', 'slf4j-log4j12.jar'])


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            return False
    return True


def free_port_offset(size):
    """An offset whose ports (the harness's 4 per server, 10 apart) are all free right now."""
    for _ in range(200):
        # Below the kernel's ephemeral range (32768+), where outgoing connections take their ports.
        base = random.randrange(20000, 32000 - 10 * size, 10)
        if all(port_free(base + 10 * i + j) for i in range(size) for j in range(4)):
            return base
    sys.exit('run.py: found no free port range for %d servers' % size)


def main():
    args = sys.argv[1:]
    timeout = None
    if args[:1] == ['--timeout'] and len(args) > 1 and args[1].isdigit():
        timeout, args = int(args[1]), args[2:]
    if len(args) < 2 or args[0] not in ('skein', 'apache') or not args[1].isdigit():
        sys.exit(__doc__)
    server, size, pytest_args = args[0], int(args[1]), args[2:]
    tmp = tempfile.mkdtemp(prefix='kazoo-suite-')
    env = dict(os.environ,
               ZOOKEEPER_VERSION='3.8.0',
               ZOOKEEPER_CLUSTER_SIZE=str(size),
               ZOOKEEPER_PORT_OFFSET=str(free_port_offset(size)),
               TMPDIR=tmp)
    if server == 'skein':
        main_js = os.path.join(ROOT, 'dist', 'src', 'cli', 'main.js')
        if not os.path.exists(main_js):
            sys.exit('run.py: %s is missing: npm run build' % main_js)
        # The harness asserts that one of ZOOKEEPER_PATH, _CLASSPATH or _VERSION is set and passes the
        # classpath to java; the shim ignores it.
        env.update(PATH=HERE + os.pathsep + env['PATH'], SKEIN_MAIN=main_js, ZOOKEEPER_CLASSPATH='skein')
    else:
        env.update(ZOOKEEPER_CLASSPATH=APACHE_CLASSPATH)
    pytest = subprocess.Popen(
        [sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '--pyargs', 'kazoo.tests'] + pytest_args,
        env=env, cwd=tmp, start_new_session=True)
    try:
        status = pytest.wait(timeout)
    except subprocess.TimeoutExpired:
        print('run.py: the suite ran past %d s; killing it and its servers' % timeout, file=sys.stderr)
        os.killpg(pytest.pid, signal.SIGKILL)
        pytest.wait()
        status = 124
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(status)


if __name__ == '__main__':
    main()
