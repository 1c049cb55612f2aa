"""The emulator's lifecycle cannot wedge: `make up`/`status`/`down` as an operator runs them, on a free port."""
from __future__ import annotations

import io
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import boto3
import pytest

from emulator import ctl
from support import ROOT, free_port

CTL = [sys.executable, str(ROOT / "scripts" / "emulator" / "ctl.py")]


def run(*command: str, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), cwd=ROOT, text=True, capture_output=True, timeout=120, env={**os.environ, "EMULATOR_PORT": str(port)})


def servers(port: int) -> list[int]:
    """Python processes serving the emulator on the port (not their shell wrappers)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"emulator.server" in words and str(port).encode() in words and not words[0].endswith(b"sh"):
            found.append(int(cmdline.parent.name))
    return found


@pytest.fixture
def port():
    chosen = free_port()
    yield chosen
    ctl.down(chosen)


def test_two_ups_at_once_start_one_server_and_status_down_answer(port):
    both = [subprocess.Popen(CTL + ["up"], cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "EMULATOR_PORT": str(port)}) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    assert sorted("already running" in out for out, _ in outputs) == [False, True]
    assert len(servers(port)) == 1
    again = run(*CTL, "up", port=port)
    assert again.returncode == 0 and "already running" in again.stdout

    status = run("make", "--no-print-directory", "status", port=port)
    assert status.returncode == 0 and "healthy" in status.stdout and "make: ***" not in status.stderr
    assert run(*CTL, "status", port=port).returncode == 0

    ctl.pid_file(port).unlink()  # the pid file is lost: the server is still ours, found by its port
    assert run(*CTL, "status", port=port).returncode == 0
    restored = run(*CTL, "up", port=port)
    assert restored.returncode == 0 and "pid file restored" in restored.stdout and len(servers(port)) == 1

    assert run(*CTL, "down", port=port).returncode == 0 and servers(port) == []
    stopped = run(*CTL, "status", port=port)
    assert stopped.returncode == 3 and "not running" in stopped.stdout
    make_status = run("make", "--no-print-directory", "status", port=port)
    assert make_status.returncode == 0 and "not running" in make_status.stdout and "make: ***" not in make_status.stderr


def test_health_is_sts_not_moto_s_data_endpoint(port):
    """Once a Lambda function exists, /moto-api/data.json answers 500 (moto asks Docker); STS still answers."""
    ctl.up(port, timeout=90)
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    env = ctl.environment(port)
    options = {"endpoint_url": env["AWS_ENDPOINT_URL"], "verify": env["AWS_CA_BUNDLE"], "region_name": "us-east-1", "aws_access_key_id": "test", "aws_secret_access_key": "test"}
    trust = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    role = boto3.client("iam", **options).create_role(RoleName="r", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    boto3.client("lambda", **options).create_function(FunctionName="f", Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": code.getvalue()})
    with pytest.raises(urllib.error.HTTPError, match="500"):
        urllib.request.urlopen(f"{env['AWS_ENDPOINT_URL']}/moto-api/data.json", context=ssl.create_default_context(cafile=env["AWS_CA_BUNDLE"]), timeout=30)
    assert ctl.healthy(port)
    assert run(*CTL, "status", port=port).returncode == 0


def test_a_taken_port_is_named_and_no_pid_is_recorded(port):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = run(*CTL, "up", port=port)
    assert result.returncode == 1
    command = Path(f"/proc/{os.getpid()}/cmdline").read_bytes().split(b"\0")[0].decode()  # what ps shows (pytest-xdist may retitle it)
    assert f"port {port} is taken by pid {os.getpid()} ({command}" in result.stderr, result.stderr
    assert not ctl.pid_file(port).exists() and servers(port) == []


def test_a_server_that_cannot_start_says_why_in_one_line(port, monkeypatch, tmp_path):
    ctl.ensure_certificate()
    (tmp_path / "cert.pem").write_bytes(ctl.CERT_FILE.read_bytes())
    (tmp_path / "key.pem").write_text("not a key")
    monkeypatch.setattr(ctl, "CERT_FILE", tmp_path / "cert.pem")
    monkeypatch.setattr(ctl, "KEY_FILE", tmp_path / "key.pem")
    with pytest.raises(SystemExit) as error:
        ctl.up(port, timeout=60)
    message = str(error.value)
    assert message.startswith("error: the emulator exited at start (exit 1): ") and "SSL" in message and "\n" not in message, message
    assert not ctl.pid_file(port).exists()


def test_a_killed_server_is_reported_with_its_exit_code(port):
    ctl.up(port, timeout=90)
    (server,) = servers(port)
    os.kill(server, 9)
    for _ in range(50):
        if ctl.running_pid(port) is None:
            break
        time.sleep(0.1)
    assert ctl.stopped_reason(port).startswith("the emulator stopped (exit 137, last log lines: ")
    assert run(*CTL, "status", port=port).returncode == 3
    assert run(*CTL, "up", port=port).returncode == 0 and len(servers(port)) == 1
