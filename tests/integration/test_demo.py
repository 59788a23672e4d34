"""`hub demo` on the real broker: the README's first command must keep working."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from hub.parties import management_url
from hub.store import open_store
from hub.store.base import MessageFilter

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_delivers_rejects_and_tracks_every_receipt_each_party_as_its_own_account(broker, tmp_path):
    """Every simulated party connects with the account the demo made for it (the store records each
    sender's broker-checked user_id), and the accounts are deleted at the demo's end."""
    env = {**os.environ, "HUB_AMQP_URL": broker, "HUB_ROUTES": str(ROOT / "routes.yaml"), "HUB_LOG_LEVEL": "ERROR"}
    result = subprocess.run([sys.executable, "-c", "from hub.cli import main; main()", "demo", "--deadline", "2"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "<-- expected" not in out
    assert "DUPLICATE  of HUB-" in out and "XML_DTD_FORBIDDEN" in out and "SENDER_NOT_ALLOWED" in out
    assert "CUSTOMS-CN ACCEPTED P" in out            # DecImportResponse then DEC_RESULT, chained
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line.startswith(("ARCHIVE", "CUSTOMS", "INSP"))}
    assert rows["INSPECTION-CIQ"][4] == "1"          # the late answer went OVERDUE first
    assert rows["CUSTOMS-CN"][3] == "2"              # the rejected bill, in a manifest and a waybill
    assert (tmp_path / "var" / "demo").is_dir()
    assert "13 parties connected as themselves" in out and "no vouching header" in out
    prefix = re.search(r"topology (demo-\S+)\.\*", out).group(1)
    store_path = re.search(r"store (\S+store\.sqlite3)", out).group(1)
    senders = {m.sender for m in open_store(f"sqlite:///{tmp_path / store_path}").find(MessageFilter(limit=1000))}
    run, = {s.rsplit("-", 1)[1] for s in senders}      # the run's own party names: broker users are broker-wide
    assert senders == {f"{s}-{run}" for s in (
        "AIRLINE-CA", "AIRLINE-MU", "FORWARDER-SINOTRANS", "SHIPPING-COSCO", "EC-PLATFORM", "EC-PAYMENT",
        "EC-LOGISTICS")}                                   # the broker-checked user_id of each sender
    assert not [n for n, tags in broker_users(broker).items() if f"hub-party:{prefix}@/" in tags]


def broker_users(amqp_url: str) -> dict[str, list[str]]:
    """Every broker user and its tags, through the management API as the hub's user."""
    base, user, password = management_url(amqp_url, os.environ.get("HUB_MANAGEMENT_URL"))
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, base, user, password)
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager))
    with opener.open(base + "/users", timeout=10) as response:
        return {u["name"]: u["tags"] for u in json.loads(response.read())}


def test_without_the_management_plugin_the_demo_still_runs_vouched_and_says_so(broker, tmp_path):
    """A fresh broker has no management plugin: the README's first command still runs, the hub's own
    user vouching for each party (as --vouched), with a note saying why and how to get accounts."""
    env = {**os.environ, "HUB_AMQP_URL": broker, "HUB_ROUTES": str(ROOT / "routes.yaml"), "HUB_LOG_LEVEL": "ERROR",
           "HUB_MANAGEMENT_URL": "http://guest:guest@127.0.0.1:9/api"}          # nothing listens on port 9
    result = subprocess.run([sys.executable, "-c", "from hub.cli import main; main()", "demo", "--deadline", "2"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no RabbitMQ management API at http://127.0.0.1:9" in result.stderr
    assert "Enable rabbitmq_management" in result.stderr
    assert "parties vouched for by the hub's user" in result.stdout and "<-- expected" not in result.stdout


def test_keep_leaves_the_console_up_on_the_demos_store_and_the_summary_names_the_agencies_reasons(broker, tmp_path):
    import signal
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HUB_AMQP_URL": broker, "HUB_ROUTES": str(ROOT / "routes.yaml"), "HUB_LOG_LEVEL": "ERROR"}
    demo = subprocess.Popen([sys.executable, "-c", "from hub.cli import main; main()", "demo", "--deadline", "2",
                             "--keep", "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(line.startswith("Ctrl-C") for line in lines):
            line = demo.stdout.readline()
            if not line:
                break
            lines.append(line)
        out = "".join(lines)
        assert "console: http://127.0.0.1:" in out, out + demo.stderr.read()
        rejected = [line for line in lines if re.search(r"REJECTED \S* ?\(\"13 ", line)]   # the agency's reason
        assert rejected, out
        token = re.search(r"admin token (\S+)\)", out).group(1)
        assert "export HUB_STORE_URL=sqlite:///" in out and "HUB_TOPOLOGY_PREFIX=demo-" in out
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/messages?key=999-12345675",
                                         headers={"Authorization": f"Bearer {token}"})
        for _ in range(50):
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    found = json.loads(response.read())
                break
            except OSError:
                time.sleep(0.2)
        assert found["items"] and found["items"][0]["business_key"] == "999-12345675"
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=30)
