"""What the page's catch-up after a kernel (re)start reads: whole vs the end.

    /tmp/venv/bin/python bench/journal-tail-read.py [megabytes] [rounds]

Starts a Jupyter Server on a temporary root holding a journal of the given
size (48 MB by default: a long training session's samples), then, side by
side in each round, reads it as the page did before (`GET /api/contents/…`
with its content: the JSON model, whole) and as it does now (`GET /files/…`
with `Range: bytes=-262144`, the catch-up's first read). Prints each
request's wall time (to the last byte, the JSON parsed for the contents API)
and bytes, medians over the rounds, and their ratio. The page's own work on
what it received (finding the stream's start in it) is left out: it was a
search of the whole text before, a few hundred lines now.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TAIL_BYTES = 256 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def journal_text(megabytes: float) -> str:
    line = (
        '{"v":1,"kind":"resource.sample","t":"2026-11-24T10:00:00.000Z",'
        '"session":"bench","interval":1,"cpuPercent":50,"cpuSeconds":%d,'
        '"rssBytes":1000000000,"threads":4,"processCount":1}\n'
    )
    lines = []
    size = 0
    i = 0
    while size < megabytes * 1e6:
        text = line % i
        lines.append(text)
        size += len(text)
        i += 1
    return "".join(lines)


def timed(url: str, token: str, headers: dict[str, str], parse: bool) -> tuple[float, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}", **headers})
    began = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        body = response.read()
    if parse:
        json.loads(body)
    return time.perf_counter() - began, len(body)


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 48
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    root = tempfile.mkdtemp(prefix="nbprov-tail-")
    with open(os.path.join(root, "train.provenance.jsonl"), "w") as f:
        f.write(journal_text(megabytes))
    port = free_port()
    token = secrets.token_hex(16)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_server",
            f"--ServerApp.root_dir={root}",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            "--ServerApp.open_browser=False",
            "--allow-root",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(root, "server.log"), "w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                timed(f"{base}/api/status", token, {}, True)
                break
            except OSError:
                if server.poll() is not None:
                    sys.exit(f"the server did not start: see {root}/server.log")
                time.sleep(0.2)
        whole_url = f"{base}/api/contents/train.provenance.jsonl?type=file&format=text&content=1"
        tail_url = f"{base}/files/train.provenance.jsonl"
        whole, tail = [], []
        for round_ in range(rounds):
            pair = [
                ("whole", lambda: timed(whole_url, token, {}, True)),
                ("tail", lambda: timed(tail_url, token, {"Range": f"bytes=-{TAIL_BYTES}"}, False)),
            ]
            if round_ % 2:
                pair.reverse()
            for name, run in pair:
                seconds, size = run()
                (whole if name == "whole" else tail).append((seconds, size))
        w = statistics.median(s for s, _ in whole)
        t = statistics.median(s for s, _ in tail)
        print(f"journal {megabytes:g} MB, {rounds} rounds, medians")
        print(f"  whole (contents API): {w * 1000:8.1f} ms  {whole[0][1]:>11,} bytes")
        print(f"  end   (ranged /files/): {t * 1000:6.1f} ms  {tail[0][1]:>11,} bytes")
        print(f"  ratio whole/end: x{w / t:.0f}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
