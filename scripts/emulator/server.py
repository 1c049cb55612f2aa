"""Run moto's server with the project's extensions installed: python -m emulator.server --port N."""
from __future__ import annotations

import argparse
import threading

from emulator import extensions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True, help="PEM certificate (the emulator speaks TLS only)")
    parser.add_argument("--key", required=True, help="PEM private key")
    args = parser.parse_args()
    extensions.install()
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from moto.server import main as moto_main  # after install(): the server uses the patched classes

    # One connection per request. With HTTP/1.1 keep-alive, the threaded dev server sometimes drops
    # a connection after answering; the SDK then retries a create that already happened and gets
    # "already exists" (seen as InvalidPermission.Duplicate under load). Werkzeug keeps a version
    # the handler sets itself.
    MotoRequestHandler.protocol_version = "HTTP/1.0"

    # One request at a time: moto's backends are not thread-safe, and Terraform sends requests in
    # parallel (seen: two concurrent RemovePermission calls on one function lost an update, so a
    # deleted permission came back). Requests take milliseconds; the provider's waits dominate.
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    handle = DomainDispatcherApplication.__call__
    one_at_a_time = threading.Lock()

    def serialized(self, environ, start_response):  # type: ignore[no-untyped-def]
        with one_at_a_time:
            return list(handle(self, environ, start_response))

    DomainDispatcherApplication.__call__ = serialized

    moto_main(["--host", args.host, "--port", str(args.port), "--ssl-cert", args.cert, "--ssl-key", args.key])


if __name__ == "__main__":
    main()
