#!/usr/bin/env python3
"""marquez-stub.py - a tiny OpenLineage endpoint for tests.

    marquez-stub.py BODIES_FILE PORT_FILE [STATUS]

Listens on 127.0.0.1 on a free port (written to PORT_FILE once it listens),
accepts POST /api/v1/lineage with a JSON body, appends each body as one line
to BODIES_FILE and answers STATUS (default 201).  Anything else gets 404.
STATUS "huge" answers 200 with a body of 64 MiB; "hang" reads the request
and never answers.  Stops on SIGTERM.  Python's standard library only.
"""
import http.server
import json
import os
import signal
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path != "/api/v1/lineage" or \
                self.headers.get("Content-Type") != "application/json":
            self.send_response(404)
            self.end_headers()
            return
        json.loads(body)          # a body that is not JSON fails the test
        with open(self.server.bodies, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        if self.server.mode == "hang":
            time.sleep(3600)
            return
        if self.server.mode == "huge":
            size = 64 << 20
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            try:
                for _ in range(size >> 16):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass        # the client stopped reading: what we want
            return
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


def main(argv):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.bodies = argv[1]
    server.mode = argv[3] if len(argv) > 3 and not argv[3].isdigit() else ""
    server.status = int(argv[3]) if len(argv) > 3 and argv[3].isdigit() else 201
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    tmp = argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, argv[2])
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
