"""The load benchmark runs end to end: a tiny database, 1 s per page."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not shutil.which("wrk") and not os.environ.get("CI"),
    reason="wrk is not installed (apt-get install wrk); required when CI is set",
)


def test_load_bench_measures_every_page_and_keeps_every_ticket(tmp_path):
    output = tmp_path / "load.json"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    completed = subprocess.run(
        [
            sys.executable,
            "bench/load_bench.py",
            "--fresh",
            "--sizes",
            "50",
            "--engines",
            "sqlite",
            "--duration",
            "1",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--tickets",
            "2",
            "--json",
            str(output),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    [result] = json.loads(output.read_text(encoding="utf-8"))
    assert result["engine"] == "sqlite"
    assert result["articles"] >= 50
    pages = result["pages"]
    assert set(pages) == {
        "floor",
        "home",
        "category",
        "article",
        "tag",
        "channels",
        "contact form GET",
        "search page (repeated)",
        "/api/search (repeated)",
        "search page (distinct queries)",
        "ticket creation (form POST)",
    }
    for name, figures in pages.items():
        assert figures["rps"] > 0, name
        assert figures["errors"] == 0, name
        assert 0 < figures["p50_ms"] <= figures["p99_ms"], name
    assert pages["floor"]["ratio"] == 1
    tickets = pages["ticket creation (form POST)"]
    # 8 clients, 2 tickets each: all acknowledged, each stored once, and
    # each confirmation sent by the outbox sender running beside the server.
    assert tickets["acknowledged"] == 16
    assert (tickets["lost"], tickets["duplicated"], tickets["without_email"]) == (
        0,
        0,
        0,
    )
    assert 0 < tickets["email_sent_p95_s"] < 30
    assert "sender_cpu_ms" in tickets["runs"][0]
    assert "| floor" in completed.stdout and "ratio to floor" in completed.stdout
