#!/usr/bin/python3
"""Fabric 2 peer for bench/fanout.sh: one ThreadingGroup.run(COMMAND) across HOSTS_FILE.

    fanout_fabric.py HOSTS_FILE KEY KNOWN_HOSTS [COMMAND]     (COMMAND defaults to "uname -a")

Prints "host<TAB>stdout" per host. Exits 1 if any host failed (connect, auth, host key or a
non-zero exit), so the benchmark can never time a partial fan-out as a success.

Runs under Debian's /usr/bin/python3 on purpose: python3-fabric/python3-paramiko are Debian
packages, and another python3 on PATH (pyenv) may not have them.
"""
import fnmatch
import sys
import warnings

# paramiko 2.12 with Debian's cryptography warns about TripleDES on import; noise in the logs.
warnings.filterwarnings("ignore")

from fabric import Config, ThreadingGroup  # noqa: E402
from fabric.exceptions import GroupException  # noqa: E402
from paramiko import RejectPolicy, SSHConfig  # noqa: E402
from paramiko.hostkeys import HostKeyEntry  # noqa: E402

# The bed's sshds share a 2-core machine with the client: at 200 hosts a handshake can wait
# well over paramiko's 15 s banner timeout. A slow host should be slow, not a failure.
TIMEOUT = 60


def matches(host, patterns):
    """OpenSSH known_hosts pattern list semantics: any positive match, no negated match."""
    hit = False
    for p in patterns:
        if p.startswith("!"):
            if fnmatch.fnmatchcase(host, p[1:]):
                return False
        elif fnmatch.fnmatchcase(host, p):
            hit = True
    return hit


def known_keys(path, host):
    """Keys that KNOWN_HOSTS lists for HOST.

    paramiko's HostKeys only matches literal or hashed names, but the bed's known_hosts uses
    wildcards (10.214.*.*); without this every host would be "unknown" and, with RejectPolicy,
    rejected. We resolve the patterns ourselves rather than turn checking off.
    """
    keys = []
    with open(path) as f:
        for line in f:
            entry = HostKeyEntry.from_line(line)
            if entry is not None and entry.key is not None and matches(host, entry.hostnames):
                keys.append(entry.key)
    return keys


def main(hosts_file, key, known_hosts, command="uname -a"):
    hosts = [h.strip() for h in open(hosts_file) if h.strip()]
    # An explicit, empty SSHConfig: no ~/.ssh/config or /etc/ssh/ssh_config can change the run.
    config = Config(ssh_config=SSHConfig())
    group = ThreadingGroup(
        *hosts,
        user="root",
        config=config,
        connect_timeout=TIMEOUT,
        connect_kwargs={
            "key_filename": key,
            "look_for_keys": False,  # only the bed key, as IdentitiesOnly in the ssh_config
            "allow_agent": False,
            "banner_timeout": TIMEOUT,
            "auth_timeout": TIMEOUT,
        },
    )
    for conn in group:
        # Fabric defaults to AutoAddPolicy (trust on first use); the benchmark verifies host
        # keys like every other tool here (StrictHostKeyChecking yes).
        conn.client.set_missing_host_key_policy(RejectPolicy())
        keys = known_keys(known_hosts, conn.host)
        if not keys:
            print(f"{conn.host}\tERROR no known_hosts entry in {known_hosts}", file=sys.stderr)
            return 1
        for k in keys:
            conn.client.get_host_keys().add(conn.host, k.get_name(), k)

    try:
        results = group.run(command, hide=True)
        failed = False
    except GroupException as e:  # raised if any host failed; e.result still has every host
        results = e.result
        failed = True

    for conn, res in sorted(results.items(), key=lambda kv: kv[0].host):
        if isinstance(res, Exception):
            print(f"{conn.host}\tERROR {res!r}", file=sys.stderr)
        else:
            print(f"{conn.host}\t{res.stdout.strip()}")
    group.close()
    if len(results) != len(hosts):
        print(f"only {len(results)} of {len(hosts)} hosts reported", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
