#!/usr/bin/env python3
"""A static file server for the end-to-end tests that sends the site's
Content-Security-Policy header, as docs/hosting.md tells hosts to:
the policy of the page's <meta> tag plus frame-ancestors, which only a
header can carry.

Usage: serve_csp.py DIR PORT [--cors]. With --cors (a "foreign" host in
the tests) it lets any origin read its files, and answers
/redirect/NAME with a 302 to /NAME and /slow/NAME after 1.5 s.
"""
import functools
import http.server
import sys
import time

CORS = "--cors" in sys.argv

POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; "
    "connect-src 'self' https: http://127.0.0.1:* http://localhost:*; "
    "object-src 'none'; base-uri 'self'; form-action 'none'; frame-ancestors *"
)


class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        if CORS:
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def do_GET(self):
        if CORS and self.path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", "/" + self.path[len("/redirect/"):])
            self.end_headers()
            return
        if CORS and self.path.startswith("/slow/"):
            time.sleep(1.5)
            self.path = "/" + self.path[len("/slow/"):]
        super().do_GET()

    def log_message(self, *args):
        pass


Handler.extensions_map = {**Handler.extensions_map, ".wasm": "application/wasm", ".js": "text/javascript"}

if __name__ == "__main__":
    directory, port = sys.argv[1], int(sys.argv[2])
    handler = functools.partial(Handler, directory=directory)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
