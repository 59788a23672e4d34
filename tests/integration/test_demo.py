"""`hub demo` on the real broker: the README's first command must keep working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_delivers_rejects_and_tracks_every_receipt(broker, tmp_path):
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
