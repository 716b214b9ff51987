"""The web app under load: 50 concurrent users on loopback, each an athlete with a year of
daily history, on SQLite and on PostgreSQL, measured with wrk (Debian's `wrk`).

    .venv/bin/python benchmarks/web_load_bench.py [--seconds 15] [--connections 50]
        [--workers 2] [--backends sqlite,postgresql]

For each database it fills a fresh copy (50 athletes x 1 year, each signed in), starts
`restride serve --workers N --no-jobs` on a free port, lets every user open today once (the
day is composed and kept), then runs wrk against, in turn:

- GET /static/app.css: the baseline, a static file: what the framework and this machine
  serve with no restride code at all;
- GET /api/today and GET /today: today's decision as JSON and as the page;
- POST /api/checkins?edit=true: each user edits today's check-in (a write: a new version,
  the day composed again in the same transaction);
- GET /history: the recent days and charts.

wrk rotates the 50 users' session cookies and CSRF tokens. It prints requests per second and
the latency percentiles wrk reports (50 %, 90 %, 99 %), beside the targets (p99 < 50 ms for
today and the check-in). It is a measurement, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))
from clinic_bench import TODAY, histories, shifted

from restride.loading import builtin_protocol
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.database import Database
from restride.web.accounts import hash_secret

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/restride_webload"
TARGET_P99_MS = 50.0
LUA = """
local users = {}
local body = %(body)s
init = function(args)
  for line in io.lines("%(users)s") do
    local token, csrf = line:match("([^ ]+) ([^ ]+)")
    users[#users + 1] = {token = token, csrf = csrf}
  end
end
local i = math.random(0, 1000)
request = function()
  i = i + 1
  local u = users[i %% #users + 1]
  local headers = {["Cookie"] = "restride_session=" .. u.token, ["X-CSRF-Token"] = u.csrf}
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(%(method)s, "%(path)s", headers, body)
end
"""


def fill(db: Database, users: int) -> list[tuple[str, str]]:
    """`users` athletes with a year of history up to yesterday, each signed in: (token, csrf)."""
    base = shifted(histories(builtin_protocol())[0], 0)
    signed: list[tuple[str, str]] = []
    with db.transaction() as tx:
        for n in range(users):
            athlete, episode = t.new_id(), t.new_id()
            tx.execute(
                insert(t.Account).values(
                    id=athlete, email=f"user{n:02}@example.org", name=f"User {n:02}", role="athlete"
                )
            )
            tx.execute(
                insert(t.Episode).values(
                    id=episode,
                    athlete_id=athlete,
                    protocol="ten-steps",
                    site=base.injury.site,
                    side=base.injury.side,
                    kind=base.injury.kind,
                    onset=base.injury.onset,
                    prior_bone_stress_injury=False,
                    program_start=base.program_start,
                    active=True,
                    revision=0,
                )
            )
            checkins = [
                {"id": t.new_id(), "episode_id": episode, "date": c.date, "version": 1,
                 **{f: getattr(c, f) for f in repo.CHECKIN_FIELDS}}
                for c in base.checkins
            ]  # fmt: skip
            sessions = [
                {"id": t.new_id(), "episode_id": episode,
                 **{f: getattr(s, f) for f in repo.SESSION_FIELDS}}
                for s in base.sessions
            ]  # fmt: skip
            events = [
                {"id": t.new_id(), "episode_id": episode, "date": e.date, "kind": e.kind,
                 "reason": e.reason, "scope": e.scope}
                for e in base.clinician_events
            ]  # fmt: skip
            for table, rows in ((t.CheckIn, checkins), (t.SessionLog, sessions)):
                tx.execute(insert(table), rows)
            if events:
                tx.execute(insert(t.ClinicianEvent), events)
            token, csrf = f"bench-token-{n:02}-{t.new_id()}", f"bench-csrf-{n:02}-{t.new_id()}"
            tx.execute(
                insert(t.WebSession).values(
                    id=t.new_id(),
                    account_id=athlete,
                    token_hash=hash_secret(token),
                    csrf_token=csrf,
                    expires_at=t.utcnow() + dt.timedelta(days=7),
                )
            )
            signed.append((token, csrf))
    return signed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'load.db'}"
    target = make_url(PG_URL)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return PG_URL


def wrk(
    port: int, path: str, users_file: Path, seconds: int, connections: int, method: str = "GET",
    body: str | None = None,
) -> dict[str, float]:  # fmt: skip
    script = users_file.with_suffix(f".{abs(hash((path, method)))}.lua")
    script.write_text(
        LUA
        % {
            "users": users_file,
            "method": json.dumps(method),
            "path": path,
            "body": json.dumps(body) if body else "nil",
        }
    )
    found = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out = found.stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for label in ("50", "90", "99"):
        value = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if value:
            scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[value.group(2)]
            figures[f"p{label}"] = float(value.group(1)) * scale
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non2xx"] = float(errors.group(1)) if errors else 0.0
    return figures


def run_backend(backend: str, args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"restride-load-{backend}-"))
    url = fresh(backend, folder)
    db = Database(url)
    db.migrate()
    began = time.perf_counter()
    users = fill(db, args.connections)
    db.dispose()
    users_file = folder / "users.txt"
    users_file.write_text("".join(f"{tok} {csrf}\n" for tok, csrf in users))
    port = free_port()
    env = {
        **os.environ,
        "RESTRIDE_DATABASE_URL": url,
        "RESTRIDE_TODAY": TODAY.isoformat(),
        "RESTRIDE_DATA_DIR": str(folder),
    }
    restride = str(Path(sys.executable).parent / "restride")
    server = subprocess.Popen(
        [restride, "serve", "--port", str(port), "--workers", str(args.workers), "--no-jobs"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for token, _csrf in users:  # each user opens today once: the day is composed and kept
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/today",
                headers={"Cookie": f"restride_session={token}"},
            )
            urllib.request.urlopen(request, timeout=60).read()  # noqa: S310
        print(
            f"\n{backend}: {len(users)} athletes x 1 year, filled and warmed in "
            f"{time.perf_counter() - began:.0f} s; restride serve --workers {args.workers}; "
            f"wrk -c{args.connections} -d{args.seconds}s"
        )
        columns = ("req/s", "p50 ms", "p90 ms", "p99 ms", "non-2xx")
        print(f"  {'request':<34} " + " ".join(f"{c:>8}" for c in columns))
        checkin = json.dumps({"pain_rest": 0, "pain_walking": 0, "pain_next_morning": 0})
        runs: list[tuple[str, str, str, str | None, bool]] = [
            ("GET /static/app.css (baseline)", "GET", "/static/app.css", None, False),
            ("GET /api/today", "GET", "/api/today", None, True),
            ("GET /today", "GET", "/today", None, True),
            ("POST /api/checkins?edit=true", "POST", "/api/checkins?edit=true", checkin, True),
            ("GET /history", "GET", "/history", None, False),
        ]
        for label, method, path, body, targeted in runs:
            if method == "POST":
                seed = json.dumps({"pain_rest": 0, "pain_walking": 0, "pain_next_morning": 0})
                for token, csrf in users:  # today's first check-in, so every later one edits it
                    urllib.request.urlopen(
                        urllib.request.Request(
                            f"http://127.0.0.1:{port}/api/checkins",
                            data=seed.encode(),
                            method="POST",
                            headers={
                                "Cookie": f"restride_session={token}",
                                "X-CSRF-Token": csrf,
                                "Content-Type": "application/json",
                            },
                        ),
                        timeout=60,
                    ).read()
            got = wrk(port, path, users_file, args.seconds, args.connections, method, body)
            verdict = ""
            if targeted:
                verdict = "met" if got.get("p99", 1e9) < TARGET_P99_MS else "MISSED"
                verdict = f"  target p99 < {TARGET_P99_MS:g} ms: {verdict}"
            latencies = " ".join(f"{got.get(p, 0):>8.1f}" for p in ("p50", "p90", "p99"))
            print(f"  {label:<34} {got['rps']:>8.0f} {latencies} {got['non2xx']:>8.0f}{verdict}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 0
    print(f"restride web load benchmark · Python {sys.version.split()[0]} · {os.cpu_count()} cores")
    for backend in args.backends.split(","):
        run_backend(backend, args)
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
