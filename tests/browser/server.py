"""The app served over HTTP on a free loopback port, in a thread, for a real browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from werkzeug.serving import make_server

from service.app import create_app
from service.runtime import Runtime


@contextmanager
def serve(rt: Runtime) -> Iterator[tuple[str, Runtime]]:
    """Yield (base URL, runtime whose public URL is that address) while the server runs."""
    holder: dict[str, Any] = {}

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        return holder["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    live = replace(rt, config=replace(rt.config, public_base_url=base))
    holder["app"] = create_app(runtime=live, SECRET_KEY="browser-tests")
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield base, live
    finally:
        server.shutdown()
        thread.join(timeout=10)
