#!/usr/bin/env python3
"""A local fake of New Relic's NerdGraph endpoint, for batchtop's tests.

    fake_newrelic.py --port 0 --port-file F [--mode MODE] --key KEY

Binds 127.0.0.1 (port 0 picks a free port, written to F once listening)
and answers POST /graphql in the wire format of the real service:
{"data": {"actor": {"account": {"nrql": {"results": [...]}}}}} on success,
a top-level "errors" array otherwise.  The API-Key header must equal KEY,
else the answer is 401 with a BAD_API_KEY error, as New Relic does.

Modes (POST /control {"mode": "..."} switches at run time,
{"reset": true} zeroes the request counter, and {"reject_next": N} makes
the next N POST /graphql answer 401 + BAD_API_KEY whatever the mode, so a
test can script "the key is refused, then accepted" without racing the
client):

  ok                 FACET rows (one facet is an array) or, when the NRQL
                     says FROM Log, log rows with epoch-ms timestamps
  facet_array        FACET rows whose facets are all arrays
  deprecation        ok's data plus a deprecation notice in errors
  bad_key            401 + BAD_API_KEY whatever the key
  rate_limited       429
  too_many_requests  200 + errorClass TOO_MANY_REQUESTS, nrql null
  timeout            200 + errorClass TIMEOUT, nrql null
  syntax_error       200 + an NRQL syntax error, nrql null
  server_error       500
  redirect           302 to elsewhere (a client must not follow it)
  hang               no answer for --hang-seconds (longer than any test's
                     timeout), then ok
  truncated          ok's body cut in half
  huge               a body streamed far past any sane cap (64 MiB)
  deep               100000 '[' (nesting that would sink a recursive parser)

GET /last returns the body of the last POST /graphql as it came; GET /stats
returns {"graphql_requests": N, "mode": M}.  The server exits on SIGTERM
or SIGINT and never opens a connection of its own.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

MODES = (
    "ok", "facet_array", "deprecation", "bad_key", "rate_limited",
    "too_many_requests", "timeout", "syntax_error", "server_error",
    "redirect", "hang", "truncated", "huge", "deep",
)

MAX_REQUEST = 1 << 20
HUGE_BYTES = 64 << 20

FACET_ROWS = [
    {"biller_id": "B100", "count": 12, "facet": "B100"},
    {"facet": "B200", "count": 3},
    {"facet": ["B300", "batch-close"], "count": 7},
    {"facet": "O'Hara\\Co", "count": 1},
    {"facet": "B\u001b[31mRED", "count": 2},
]

FACET_ARRAY_ROWS = [
    {"facet": ["B100", "batch-close"], "count": 5},
    {"facet": ["B100", "autopay"], "count": 2},
    {"facet": ["B400", "batch-close"], "count": 9},
]

LOG_ROWS = [
    {"timestamp": 1700000000123, "level": "ERROR",
     "message": "batch 42 failed: deadlock detected", "batch_id": "42"},
    {"timestamp": 1700000001000, "level": "INFO",
     "message": "\u001b[2Jcleared \u001b]0;pwned\u0007screen", "batch_id": 43},
    {"timestamp": 1700000002000, "message": "no level here",
     "extra": {"nested": [1, 2, 3]}},
    # Names no batch: the biller's own line, shown in a batch's logs too.
    {"timestamp": 1700000003000, "level": "ERROR",
     "message": "processor handshake timeout (biller-wide)"},
]


def results_body(rows):
    return {"data": {"actor": {"account": {"nrql": {"results": rows}}}}}


def error_body(message, error_class=None, null_nrql=True):
    err = {"message": message,
           "locations": [{"line": 1, "column": 80}],
           "path": ["actor", "account", "nrql"]}
    if error_class:
        err["extensions"] = {"errorClass": error_class}
    body = {"errors": [err]}
    if null_nrql:
        body["data"] = {"actor": {"account": {"nrql": None}}}
    return body


BAD_KEY_BODY = {"errors": [{
    "message": "Invalid API key. Please check your key and try again.",
    "extensions": {"error_code": "BAD_API_KEY"}}]}


class State:
    def __init__(self, mode, key, hang_seconds):
        self.lock = threading.Lock()
        self.mode = mode
        self.key = key
        self.hang_seconds = hang_seconds
        self.last = b"{}"
        self.count = 0
        self.reject_next = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-nerdgraph/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fake_newrelic: " + (fmt % args) + "\n")

    # --- helpers -----------------------------------------------------------

    def send_json(self, status, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_bytes(status, data, headers)

    def send_bytes(self, status, data, headers=None, length=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length",
                         str(len(data) if length is None else length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n < 0 or n > MAX_REQUEST:
            self.send_json(413, {"errors": [{"message": "bad length"}]})
            return None
        return self.rfile.read(n)

    # --- GET ---------------------------------------------------------------

    def do_GET(self):
        st = self.server.state
        if self.path == "/last":
            with st.lock:
                data = st.last
            self.send_bytes(200, data)
        elif self.path == "/stats":
            with st.lock:
                obj = {"graphql_requests": st.count, "mode": st.mode}
            self.send_json(200, obj)
        else:
            self.send_json(404, {"errors": [{"message": "not found"}]})

    # --- POST --------------------------------------------------------------

    def do_POST(self):
        body = self.read_body()
        if body is None:
            return
        # A query string or fragment (a test's secret) is not the path.
        path = urlsplit(self.path).path
        if path == "/control":
            self.control(body)
        elif path == "/graphql":
            self.graphql(body)
        else:
            self.send_json(404, {"errors": [{"message": "not found"}]})

    def control(self, body):
        st = self.server.state
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            self.send_json(400, {"error": "not JSON"})
            return
        mode = req.get("mode")
        if mode is not None and mode not in MODES:
            self.send_json(400, {"error": "unknown mode", "modes": MODES})
            return
        with st.lock:
            if mode is not None:
                st.mode = mode
            if req.get("reset"):
                st.count = 0
            if req.get("reject_next") is not None:
                st.reject_next = int(req["reject_next"])
            obj = {"mode": st.mode, "graphql_requests": st.count}
        self.send_json(200, obj)

    def graphql(self, body):
        st = self.server.state
        with st.lock:
            st.last = body
            st.count += 1
            mode = st.mode
            rejected = st.reject_next > 0
            if rejected:
                st.reject_next -= 1
        if (self.headers.get("API-Key") != st.key or mode == "bad_key"
                or rejected):
            self.send_json(401, BAD_KEY_BODY)
            return
        if not self.headers.get("Content-Type", "").startswith(
                "application/json"):
            self.send_json(415, {"errors": [{"message": "use JSON"}]})
            return
        try:
            req = json.loads(body)
            nrql = req["variables"]["nrql"]
            account = req["variables"]["accountId"]
            query = req["query"]
            if not (isinstance(nrql, str) and isinstance(account, int)
                    and isinstance(query, str) and "$nrql" in query):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            self.send_json(400, {"errors": [{
                "message": "expected {query, variables: {accountId, nrql}}"}]})
            return
        getattr(self, "mode_" + mode)(nrql)

    # --- the modes ---------------------------------------------------------

    def ok_body(self, nrql):
        if "from log" in nrql.lower():
            return results_body(LOG_ROWS)
        return results_body(FACET_ROWS)

    def mode_ok(self, nrql):
        self.send_json(200, self.ok_body(nrql))

    def mode_facet_array(self, nrql):
        self.send_json(200, results_body(FACET_ARRAY_ROWS))

    def mode_deprecation(self, nrql):
        body = self.ok_body(nrql)
        body["errors"] = [{
            "message": "This field is deprecated! Please use `nrql.results` "
                       "instead.",
            "path": ["actor", "account", "nrql"]}]
        self.send_json(200, body)

    def mode_bad_key(self, nrql):
        self.send_json(401, BAD_KEY_BODY)

    def mode_rate_limited(self, nrql):
        self.send_json(429, {"errors": [{"message": "Too Many Requests"}]},
                       {"Retry-After": "1"})

    def mode_too_many_requests(self, nrql):
        self.send_json(200, error_body(
            "Too many concurrent NRDB queries for this account",
            "TOO_MANY_REQUESTS"))

    def mode_timeout(self, nrql):
        self.send_json(200, error_body(
            "NRDB query duration exceeded the timeout", "TIMEOUT"))

    def mode_syntax_error(self, nrql):
        self.send_json(200, error_body(
            "NRQL Syntax Error: Error at line 1 position 8, unexpected 'x'",
            "INVALID_INPUT"))

    def mode_server_error(self, nrql):
        self.send_json(500, {"errors": [{"message": "Internal Server Error"}]})

    def mode_redirect(self, nrql):
        self.send_json(302, {}, {"Location": "http://127.0.0.1:9/elsewhere"})

    def mode_hang(self, nrql):
        end = time.monotonic() + self.server.state.hang_seconds
        while time.monotonic() < end and not self.server.stopping:
            time.sleep(0.05)
        try:
            self.send_json(200, self.ok_body(nrql))
        except OSError:
            pass    # the client gave up long ago

    def mode_truncated(self, nrql):
        data = json.dumps(self.ok_body(nrql)).encode()
        self.send_bytes(200, data[:len(data) // 2])

    def mode_huge(self, nrql):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        head = b'{"data":{"actor":{"account":{"nrql":{"results":['
        row = b'{"facet":"B0000000","count":1},' * 1024
        sent = 0
        try:
            self.wfile.write(head)
            while sent < HUGE_BYTES and not self.server.stopping:
                self.wfile.write(row)
                sent += len(row)
        except OSError:
            pass    # the client hung up at its cap, as it should

    def mode_deep(self, nrql):
        self.send_bytes(200, b"[" * 100000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--mode", default="ok", choices=MODES)
    ap.add_argument("--key", default=os.environ.get("NR_FAKE_KEY"))
    ap.add_argument("--hang-seconds", type=float, default=30.0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if not args.key:
        ap.error("--key (or $NR_FAKE_KEY) is required")

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.mode, args.key, args.hang_seconds)
    server.stopping = False
    server.verbose = args.verbose

    def on_signal(signum, frame):
        server.stopping = True
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        server.stopping = True
        server.server_close()


if __name__ == "__main__":
    main()
