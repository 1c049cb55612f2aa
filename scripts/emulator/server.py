"""Run moto's server with the project's extensions installed: python -m emulator.server --port N."""
from __future__ import annotations

import argparse

from emulator import extensions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True, help="PEM certificate (the emulator speaks TLS only)")
    parser.add_argument("--key", required=True, help="PEM private key")
    args = parser.parse_args()
    extensions.install()
    from moto.server import main as moto_main  # after install(): the server uses the patched classes

    moto_main(["--host", args.host, "--port", str(args.port), "--ssl-cert", args.cert, "--ssl-key", args.key])


if __name__ == "__main__":
    main()
