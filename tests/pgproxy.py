#!/usr/bin/env python3
"""A relay in front of PostgreSQL that can play dead, for batchtop's tests.

    pgproxy.py --target SOCKET (--listen-unix DIR | --listen-tcp PORT)
               [--ready FILE]

Relays every connection to the server's socket SOCKET (a Unix socket path,
e.g. $PGHOST/.s.PGSQL.5432).  --listen-unix DIR listens on
DIR/.s.PGSQL.5432, so a DSN with host=DIR reaches it; --listen-tcp PORT
listens on 127.0.0.1 (0 picks a free port).  Once listening, FILE gets the
TCP port (or "ready").

SIGUSR1 makes it hang like a stopped server: nothing more is relayed on
open connections, and new connections (cancel requests included) are
accepted and swallowed, never answered.  SIGUSR2 ends the hang: every
connection held meanwhile is closed (as a restarted server would), and new
ones are relayed again.  Exits on SIGTERM or SIGINT.
"""

import argparse
import os
import selectors
import signal
import socket
import sys

state = {"hung": False, "changed": False, "quit": False}


def on_signal(signum, frame):
    if signum == signal.SIGUSR1:
        state["hung"] = True
    elif signum == signal.SIGUSR2:
        state["hung"] = False
    else:
        state["quit"] = True
    state["changed"] = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--listen-unix")
    ap.add_argument("--listen-tcp", type=int)
    ap.add_argument("--ready")
    args = ap.parse_args()

    if args.listen_unix:
        path = os.path.join(args.listen_unix, ".s.PGSQL.5432")
        if os.path.exists(path):
            os.unlink(path)
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(path)
        os.chmod(path, 0o777)
        ready = "ready"
    else:
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", args.listen_tcp or 0))
        ready = str(lsock.getsockname()[1])
    lsock.listen(64)
    for s in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGINT):
        signal.signal(s, on_signal)
    if args.ready:
        with open(args.ready + ".tmp", "w") as f:
            f.write(ready + "\n")
        os.rename(args.ready + ".tmp", args.ready)

    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)
    peers = {}   # relayed socket -> the other end
    held = []    # sockets accepted or frozen while hung

    def close_pair(s):
        other = peers.pop(s, None)
        for x in (s, other):
            if x is None:
                continue
            peers.pop(x, None)
            try:
                sel.unregister(x)
            except (KeyError, ValueError):
                pass
            x.close()

    while not state["quit"]:
        if state["changed"]:
            state["changed"] = False
            if state["hung"]:
                for s in list(peers):
                    try:
                        sel.unregister(s)
                    except (KeyError, ValueError):
                        pass
                    held.append(s)
                peers.clear()
            else:
                for s in held:
                    s.close()
                held.clear()
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            if s is lsock:
                conn, _ = lsock.accept()
                if state["hung"]:
                    held.append(conn)
                    continue
                up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    up.connect(args.target)
                except OSError:
                    conn.close()
                    up.close()
                    continue
                peers[conn] = up
                peers[up] = conn
                sel.register(conn, selectors.EVENT_READ)
                sel.register(up, selectors.EVENT_READ)
                continue
            if s not in peers:
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                close_pair(s)
                continue
            try:
                peers[s].sendall(data)
            except OSError:
                close_pair(s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
