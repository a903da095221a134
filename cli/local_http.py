"""A local HTTP server on a thread of its own: the demo's stand-ins and its page run on it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(
    handler: type[BaseHTTPRequestHandler],
    host: str = "127.0.0.1",
    port: int = 0,
    poll: float = 0.02,
) -> ThreadingHTTPServer:
    """Serve `handler` on host:port (0: any free port) until `close`; each request on a thread."""
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    # a short poll lets close() return at once rather than after the default half second
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": poll}, daemon=True
    ).start()
    return server


def close(server: ThreadingHTTPServer | None) -> None:
    """Stop serving and let go of the port."""
    if server is not None:
        server.shutdown()
        server.server_close()
