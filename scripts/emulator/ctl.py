#!/usr/bin/env python3
"""Start, stop and inspect the embedded AWS emulator (moto server + the project's extensions).

    python scripts/emulator/ctl.py up       # start on 127.0.0.1:$EMULATOR_PORT (default 4566), wait until healthy
    python scripts/emulator/ctl.py status   # exit 0 healthy, 1 running but unhealthy, 3 not running
    python scripts/emulator/ctl.py down     # stops what `up` started

Terraform and boto3 reach it through AWS_ENDPOINT_URL; `env` prints the variables to export.
It speaks TLS only, with a certificate made here and trusted through AWS_CA_BUNDLE: the project's
buckets deny requests without TLS (aws:SecureTransport), and moto enforces bucket policies.
"""
from __future__ import annotations

import argparse
import fcntl
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

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


class RouteError(Exception):
    pass


def call(route: str, payload: dict, p: int | None = None, timeout: float = 120) -> dict:
    """POST to one of the project's emulator routes (/moto-api/mlops/...); a refusal is a RouteError with its reason."""
    import json
    import ssl
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{endpoint(p)}/moto-api/mlops/{route}", method="POST", data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=str(CERT_FILE)), timeout=timeout) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            message = json.loads(body).get("message", error.reason)
        except ValueError:  # the emulator's own failure: its log has the trace
            message = f"{error.code} {error.reason} (see the emulator's log: {log_file(p)})"
        raise RouteError(message) from None


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


def listening(p: int) -> bool:
    """Something accepts TCP connections on the port."""
    try:
        with socket.create_connection(("127.0.0.1", p), timeout=1):
            return True
    except OSError:
        return False


def healthy(p: int | None = None) -> bool:
    """A TCP connect plus one STS GetCallerIdentity: what every Terraform run needs first.

    (moto's /moto-api/data.json answers 500 once a Lambda function exists, because it asks Docker.)"""
    p = p or port()
    if not listening(p) or not CERT_FILE.exists():
        return False
    import ssl
    import urllib.request

    request = urllib.request.Request(
        f"{endpoint(p)}/", data=b"Action=GetCallerIdentity&Version=2011-06-15", method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 # moto reads the access key and region from the credential scope; it does not verify signatures
                 "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0"})
    try:
        with urllib.request.urlopen(request, timeout=5, context=ssl.create_default_context(cafile=str(CERT_FILE))) as reply:
            return reply.status == 200 and b"<Account>" in reply.read()
    except OSError:
        return False


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def is_our_server(pid: int, p: int) -> bool:
    """The process runs this project's emulator on that port."""
    command = _cmdline(pid)
    return "emulator.server" in command and f"--port {p}" in command


def port_holder(p: int) -> tuple[int, str] | None:
    """(pid, command) of the process listening on the port, from /proc (None if not ours to see)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == p:  # 0A: LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            for fd in fd_dir.iterdir():
                if os.readlink(fd) in inodes:
                    pid = int(fd_dir.parent.name)
                    return pid, _cmdline(pid)
        except OSError:
            continue
    return None


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def running_pid(p: int | None = None) -> int | None:
    """The pid `make up` recorded, if that process is alive and still our server on this port."""
    p = p or port()
    try:
        pid = int(pid_file(p).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) and is_our_server(pid, p) else None


def our_pid(p: int | None = None) -> int | None:
    """The recorded server, or our server holding the port without a record (its pid file lost)."""
    p = p or port()
    pid = running_pid(p)
    if pid is None:
        holder = port_holder(p)
        pid = _group_leader(holder[0]) if holder and is_our_server(holder[0], p) else None
    return pid


def boot_id(p: int | None = None) -> str | None:
    """Changes every time the emulator starts (its state starts empty then)."""
    try:
        return (state_dir(p) / "boot-id").read_text().strip() or None
    except OSError:
        return None


ANSI = re.compile(r"\x1b\[[0-9;]*m")
NOISE = ("WARNING: This is a development server", "* Running on", "Press CTRL+C to quit", "Traceback", "File ", "^", "~", "Error on request:")


def last_log_lines(p: int | None = None, count: int = 3) -> str:
    """The server log's last lines, without the start banner and traceback frames."""
    try:
        lines = [ANSI.sub("", line).strip() for line in log_file(p).read_text(errors="replace").splitlines()]
    except OSError:
        return "no log"
    useful = [line for line in lines if line and not line.startswith(NOISE)]
    return " | ".join(useful[-count:]) or "nothing after the start banner"


def stopped_reason(p: int | None = None) -> str | None:
    """None while our emulator runs; else one line: how it ended and what it logged last."""
    p = p or port()
    if running_pid(p) is not None:
        return None
    try:
        code = (state_dir(p) / "exit-code").read_text().strip()
    except OSError:
        code = "killed, no exit code"
    return f"the emulator stopped (exit {code}, last log lines: {last_log_lines(p)})"


@contextmanager
def control_lock(p: int) -> Iterator[None]:
    """One `up` or `down` at a time per port: two at once would both start a server."""
    state_dir(p).mkdir(parents=True, exist_ok=True)
    with open(state_dir(p) / "ctl.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def up(p: int | None = None, timeout: float = 30) -> str:
    p = p or port()
    with control_lock(p):
        pid = running_pid(p)
        if pid is not None:
            if healthy(p):
                print(f"emulator already running (pid {pid}) at {endpoint(p)}")
                return endpoint(p)
            raise SystemExit(f"error: the emulator is running (pid {pid}) but unhealthy: it does not answer at {endpoint(p)}; "
                             f"`make down` stops it, then `make up` (last log lines: {last_log_lines(p)})")
        adopted = our_pid(p)
        if adopted is not None:  # ours, but its pid file is gone
            pid_file(p).write_text(str(adopted))
            print(f"emulator already running (pid {adopted}, pid file restored) at {endpoint(p)}")
            return endpoint(p)
        holder = port_holder(p)
        if holder or listening(p):
            who = f"pid {holder[0]} ({holder[1][:120]})" if holder else "a process of another user"
            raise SystemExit(f"error: port {p} is taken by {who}; stop it or set EMULATOR_PORT to a free port")
        return _start(p, timeout)


def _group_leader(pid: int) -> int:
    try:
        return os.getpgid(pid)
    except OSError:
        return pid


def _start(p: int, timeout: float) -> str:
    ensure_certificate()
    for name in ("boot-id", "exit-code"):
        (state_dir(p) / name).unlink(missing_ok=True)
    if log_file(p).exists():
        log_file(p).replace(log_file(p).with_suffix(".log.1"))
    # A shell around the server records its exit code (kill -9 of the server included), so a run
    # that finds it gone can say how it ended. `down` stops the whole process group.
    server = [sys.executable, "-m", "emulator.server", "--port", str(p), "--cert", str(CERT_FILE), "--key", str(KEY_FILE),
              "--boot-id-file", str(state_dir(p) / "boot-id")]
    wrapper = f'{" ".join(shlex.quote(a) for a in server)}; echo $? > {shlex.quote(str(state_dir(p) / "exit-code"))}'
    with log_file(p).open("ab") as log:
        process = subprocess.Popen(["/bin/sh", "-c", wrapper], cwd=ROOT / "scripts", stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"error: the emulator exited at start (exit {_exit_code(p, process.returncode)}): {last_log_lines(p, 1)}")
        if healthy(p):
            pid_file(p).write_text(str(process.pid))  # only once it answers
            print(f"emulator up (pid {process.pid}) at {endpoint(p)}  log: {log_file(p).relative_to(ROOT)}")
            return endpoint(p)
        time.sleep(0.2)
    _stop_group(process.pid)
    raise SystemExit(f"error: the emulator did not answer within {timeout:.0f}s (last log lines: {last_log_lines(p)})")


def _exit_code(p: int, fallback: int) -> str:
    try:
        return (state_dir(p) / "exit-code").read_text().strip() or str(fallback)
    except OSError:
        return str(fallback)


def _group_alive(pgid: int) -> bool:
    """Some process of the group still runs (zombies waiting for a parent do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _stop_group(pid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        for _ in range(50):
            if not _group_alive(pid):
                return
            time.sleep(0.1)


def down(p: int | None = None) -> None:
    """Stops what `up` started: the recorded server, or our server still holding the port without a record."""
    p = p or port()
    with control_lock(p):
        pid = our_pid(p)
        if pid is None:
            print("emulator not running")
        else:
            _stop_group(pid)
            print(f"emulator stopped (pid {pid})")
        pid_file(p).unlink(missing_ok=True)


def status(p: int | None = None) -> int:
    """0: running and healthy; 1: running but unhealthy; 3: not running (as LSB init scripts do)."""
    p = p or port()
    pid = our_pid(p)
    if pid is None:
        print("emulator not running (make up starts it)")
        return 3
    if healthy(p):
        print(f"emulator running (pid {pid}) at {endpoint(p)}: healthy")
        return 0
    print(f"emulator running (pid {pid}) at {endpoint(p)} but unhealthy (last log lines: {last_log_lines(p)})")
    return 1


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
