#!/usr/bin/env python3
"""Start, stop and inspect the embedded AWS emulator (moto server + the project's extensions).

    python scripts/emulator/ctl.py up       # start on 127.0.0.1:$EMULATOR_PORT (default 4566), wait until healthy
    python scripts/emulator/ctl.py status
    python scripts/emulator/ctl.py down     # stops only the process `up` started (pid file)

Terraform and boto3 reach it through AWS_ENDPOINT_URL; `env` prints the variables to export.
It speaks TLS only, with a certificate made here and trusted through AWS_CA_BUNDLE: the project's
buckets deny requests without TLS (aws:SecureTransport), and moto enforces bucket policies.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EMULATOR_DIR = ROOT / "build" / "emulator"
CERT_FILE = EMULATOR_DIR / "tls" / "cert.pem"
KEY_FILE = EMULATOR_DIR / "tls" / "key.pem"
DEFAULT_PORT = 4566
ACCOUNT_ID = "123456789012"  # moto's default account
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


def port() -> int:
    value = os.environ.get("EMULATOR_PORT", str(DEFAULT_PORT))
    if not value.isdigit() or not 1024 <= int(value) <= 65535:
        raise SystemExit(f"error: EMULATOR_PORT must be a port number between 1024 and 65535, got {value!r}")
    return int(value)


def state_dir(p: int | None = None) -> Path:
    """One folder per port, so a test run's emulator never touches the one `make up` started."""
    return EMULATOR_DIR / f"port-{p or port()}"


def pid_file(p: int | None = None) -> Path:
    return state_dir(p) / "server.pid"


def log_file(p: int | None = None) -> Path:
    return state_dir(p) / "server.log"


def endpoint(p: int | None = None) -> str:
    return f"https://127.0.0.1:{p or port()}"


def environment(p: int | None = None) -> dict[str, str]:
    """What Terraform and boto3 need to talk to the emulator (never real AWS)."""
    return {
        **CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint(p),
        "AWS_CA_BUNDLE": str(CERT_FILE),
        "AWS_MAX_ATTEMPTS": "3",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def ensure_certificate() -> None:
    """A self-signed certificate for 127.0.0.1 and localhost, made once per checkout."""
    if CERT_FILE.exists() and KEY_FILE.exists():
        return
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mlops embedded emulator")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    CERT_FILE.parent.mkdir(parents=True, exist_ok=True)
    KEY_FILE.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    KEY_FILE.chmod(0o600)
    CERT_FILE.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def healthy(url: str) -> bool:
    import ssl

    context = ssl.create_default_context(cafile=str(CERT_FILE)) if CERT_FILE.exists() else ssl.create_default_context()
    try:
        with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2, context=context) as reply:
            return reply.status == 200
    except OSError:
        return False


def running_pid(p: int | None = None) -> int | None:
    if not pid_file(p).exists():
        return None
    pid = int(pid_file(p).read_text().strip() or 0)
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return None
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"emulator.server" not in cmdline.read_bytes():
        return None  # the pid was reused by another process: not ours
    return pid


def up(p: int | None = None, timeout: float = 30) -> str:
    p = p or port()
    pid = running_pid(p)
    if pid and healthy(endpoint(p)):
        print(f"emulator already running (pid {pid}) at {endpoint(p)}")
        return endpoint(p)
    ensure_certificate()
    if healthy(endpoint(p)):
        raise SystemExit(f"error: port {p} already answers but not from our emulator; set EMULATOR_PORT to a free port")
    state_dir(p).mkdir(parents=True, exist_ok=True)
    log = log_file(p).open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator.server", "--port", str(p), "--cert", str(CERT_FILE), "--key", str(KEY_FILE)],
        cwd=ROOT / "scripts", stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
    )
    pid_file(p).write_text(str(process.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"error: the emulator exited with {process.returncode}; see {log_file(p).relative_to(ROOT)}")
        if healthy(endpoint(p)):
            print(f"emulator up (pid {process.pid}) at {endpoint(p)}  log: {log_file(p).relative_to(ROOT)}")
            return endpoint(p)
        time.sleep(0.2)
    down(p)
    raise SystemExit(f"error: the emulator did not answer within {timeout:.0f}s; see {log_file(p).relative_to(ROOT)}")


def down(p: int | None = None) -> None:
    pid = running_pid(p)
    if pid is None:
        print("emulator not running")
    else:
        os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            if running_pid(p) is None:
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
        print(f"emulator stopped (pid {pid})")
    pid_file(p).unlink(missing_ok=True)


def status() -> int:
    pid = running_pid()
    if pid:
        state = "healthy" if healthy(endpoint()) else "not answering"
        print(f"emulator running (pid {pid}) at {endpoint()}: {state}")
        return 0 if state == "healthy" else 1
    print("emulator not running (make up starts it)")
    return 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status", "env"])
    args = parser.parse_args()
    if args.command == "up":
        up()
    elif args.command == "down":
        down()
    elif args.command == "env":
        for key, value in environment().items():
            print(f"export {key}={value}")
    else:
        return status()
    return 0


if __name__ == "__main__":
    sys.exit(main())
