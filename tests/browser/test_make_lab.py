"""The README's first command: `make lab` starts JupyterLab and serves lessons/ on port 8888."""
import json
import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from labserver import stop

ROOT = Path(__file__).resolve().parents[2]


def test_make_lab_serves_the_lessons_on_port_8888(tmp_path):
    import socket
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 8888)) == 0:
            pytest.fail("port 8888 is already in use: stop the server there and run again")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"), BROWSER="true")
    log_path = tmp_path / "lab.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(["make", "lab", "ARGS="], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        token = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and token is None:
            assert proc.poll() is None, f"make lab exited: {log_path.read_text()[-2000:]}"
            match = re.search(r"127\.0\.0\.1:8888/lab\?token=(\w+)", log_path.read_text())
            token = match.group(1) if match else None
            time.sleep(0.5)
        assert token, f"make lab printed no URL on port 8888: {log_path.read_text()[-2000:]}"
        with urllib.request.urlopen(f"http://127.0.0.1:8888/api/contents?token={token}",
                                    timeout=10) as response:
            names = {item["name"] for item in json.load(response)["content"]}
        assert "00_start_here.ipynb" in names, names
    finally:
        stop(proc)
