"""Run moto's server with the project's extensions installed: python -m emulator.server --port N."""
from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path

from emulator import extensions, pipelines


class Arrivals:
    """Requests not answered yet, by arrival. The backends' lock is not first come, first served, and
    a killed client's requests still run after it died: `drain` (POST /moto-api/mlops/drain) returns
    once every request that arrived before it is answered, so a sweep lists what a killed run created
    only after its last create ran. (A guard: the operator-loop failures it was written for came from
    the sweep's idea of "recorded", scripts/leftovers.py known_values.)"""

    def __init__(self) -> None:
        self._numbers, self._waiting, self._book, self.mine = itertools.count(), set(), threading.Lock(), threading.local()

    def arrive(self) -> int:
        with self._book:
            number = next(self._numbers)
            self._waiting.add(number)
        return number

    def leave(self, number: int) -> None:
        with self._book:
            self._waiting.discard(number)

    def drain(self, timeout: float) -> int | None:
        """How many earlier requests it waited for; None when some still wait after `timeout` seconds."""
        with self._book:
            before = set(self._waiting) - {getattr(self.mine, "number", None)}  # not the drain's own connection
        deadline = time.monotonic() + timeout
        while True:
            with self._book:
                if not before & self._waiting:
                    return len(before)
            if time.monotonic() > deadline:
                return None
            time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True, help="PEM certificate (the emulator speaks TLS only)")
    parser.add_argument("--key", required=True, help="PEM private key")
    parser.add_argument("--boot-id-file", help="where to write this run's boot id (state recorded under another id is stale)")
    args = parser.parse_args()
    if args.boot_id_file:
        Path(args.boot_id_file).write_text(uuid.uuid4().hex)
    extensions.install()
    pipelines.SERVICE_ENDPOINT.update(AWS_ENDPOINT_URL=f"https://{args.host}:{args.port}", AWS_CA_BUNDLE=args.cert)
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
    # A retry of a call that was already answered (the SDKs send every attempt of one call with the
    # same amz-sdk-invocation-id) gets the recorded answer again: under load a response can be lost
    # on the way, and re-running a create would answer "already exists" for what it just created.
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    handle = DomainDispatcherApplication.__call__
    one_at_a_time = pipelines.LOCK  # shared with the pipeline runs, which use the backends between requests
    answered: OrderedDict[str, tuple[str, list, bytes]] = OrderedDict()
    arrivals = Arrivals()

    def reply(start_response, status: str, payload: dict) -> list[bytes]:  # type: ignore[no-untyped-def]
        body = json.dumps(payload).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def serialized(self, environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") == "/moto-api/mlops/drain":
            drained = arrivals.drain(timeout=120)
            if drained is None:
                return reply(start_response, "503 Service Unavailable", {"message": "requests that arrived before this one are still waiting after 120 s"})
            return reply(start_response, "200 OK", {"drained": drained})
        return answer(self, environ, start_response)

    # A connection counts from its accept (the TLS handshake is part of it, in the server's thread)
    # until its thread ends: a thread not yet scheduled under load is waited for too.
    from werkzeug.serving import ThreadedWSGIServer

    numbers: dict[int, int] = {}
    start_thread, run_thread = ThreadedWSGIServer.process_request, ThreadedWSGIServer.process_request_thread

    def accepted(server, request, client_address):  # type: ignore[no-untyped-def]
        numbers[id(request)] = arrivals.arrive()
        start_thread(server, request, client_address)

    def handled(server, request, client_address):  # type: ignore[no-untyped-def]
        arrivals.mine.number = numbers.pop(id(request))
        try:
            run_thread(server, request, client_address)
        finally:
            arrivals.leave(arrivals.mine.number)

    ThreadedWSGIServer.process_request, ThreadedWSGIServer.process_request_thread = accepted, handled

    def answer(self, environ, start_response):  # type: ignore[no-untyped-def]
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        with one_at_a_time:
            if invocation in answered:
                status, headers, body = answered[invocation]
                start_response(status, headers)
                return [body]
            seen: dict = {}

            def record(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
                seen.update(status=status, headers=headers)
                return start_response(status, headers, exc_info)

            body = b"".join(handle(self, environ, record))
            if invocation and seen.get("status", "").startswith("2"):
                answered[invocation] = (seen["status"], seen["headers"], body)
                while len(answered) > 5000:
                    answered.popitem(last=False)
            return [body]

    DomainDispatcherApplication.__call__ = serialized

    moto_main(["--host", args.host, "--port", str(args.port), "--ssl-cert", args.cert, "--ssl-key", args.key])


if __name__ == "__main__":
    main()
