#!/usr/bin/env python3
"""Latency of the nested cohort page, two `peerlearn` builds side by side.

Recreates a PostgreSQL database, migrates it with the baseline binary, seeds a fixed data set
(20 cohorts with 2 staff each, 10 enrolled organizations per cohort with 5 members each, one
admin), starts both servers on the same database and sends the same nested query to them in
turn, one request at a time, so that machine noise hits both alike. Prints median, p90, p99
latency, requests/s at concurrency 1 and the candidate/baseline ratio.

Standard library only (Python 3.11+). Needs `psql` on PATH. See README.md next to this file.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/peerlearn_bench"

QUERY = """query Nested($n: Int!, $m: Int!) {
  cohorts(first: $n) {
    totalCount
    nodes {
      name
      staff(first: $n) { totalCount nodes { role user { name } } }
      enrollments(first: $n) {
        totalCount
        nodes {
          status
          organization { name members(first: $m) { totalCount nodes { role user { name } } } }
        }
      }
    }
  }
}"""
VARIABLES = {"n": 20, "m": 5}

# The data set. The query pages are at least as large as these, so every row is returned.
COHORTS = 20
STAFF_ROLES = ("COACH", "LEAD")  # one staff user of each role per cohort
ORGS_PER_COHORT = 10
MEMBERS_PER_ORG = 5
ADMIN_EMAIL = "bench-admin@example.org"

ORG_KINDS = (
    "CLINIC",
    "COMMUNITY_HEALTH_CENTER",
    "TRIBAL_HEALTH_PROGRAM",
    "HOSPITAL",
    "HEALTH_DEPARTMENT",
    "COMMUNITY_ORGANIZATION",
    "OTHER",
)
PROFESSIONS = (
    "PHYSICIAN",
    "NURSE_PRACTITIONER",
    "NURSE",
    "BEHAVIORAL_HEALTH_CLINICIAN",
    "CARE_MANAGER",
    "COMMUNITY_HEALTH_WORKER",
    "PHARMACIST",
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class BenchError(Exception):
    """A failure that ends the run with a message (and stopped servers)."""


# ---------------------------------------------------------------------------------------------
# Database


class Uuid7:
    """UUID v7 values that strictly increase in creation order, as the server's keys do
    (rows are paged by primary key): each call advances the 48-bit millisecond field by one."""

    def __init__(self) -> None:
        self.ms = time.time_ns() // 1_000_000

    def __call__(self) -> str:
        self.ms += 1
        value = (self.ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76  # version
        value |= secrets.randbits(12) << 64
        value |= 0b10 << 62  # variant
        value |= secrets.randbits(62)
        return str(uuid.UUID(int=value))


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def database_name(url: str) -> str:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not name:
        raise BenchError(f"--database-url has no database name: {url}")
    return urllib.parse.unquote(name)


def maintenance_url(url: str) -> str:
    """The same server, database `postgres` (to drop and create the bench database)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/postgres"))


def psql(url: str, sql: str) -> str:
    result = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url],
        input=sql,
        text=True,
        capture_output=True,
    )
    if result.returncode != 0:
        raise BenchError(f"psql failed ({result.returncode}):\n{result.stderr.strip()}")
    return result.stdout


def recreate_database(url: str) -> None:
    name = sql_ident(database_name(url))
    admin = maintenance_url(url)
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE);")
    psql(admin, f"CREATE DATABASE {name};")


def drop_database(url: str) -> None:
    psql(maintenance_url(url), f"DROP DATABASE IF EXISTS {sql_ident(database_name(url))} WITH (FORCE);")


def seed_sql() -> tuple[str, dict[str, int]]:
    """INSERTs for the data set, in one transaction; also the row counts."""
    new_id = Uuid7()
    users: list[tuple[str, str, str]] = []  # id, name, email
    cohorts: list[tuple[str, str, str]] = []  # id, slug, name
    staff: list[tuple[str, str, str, str]] = []  # id, cohort, user, role
    orgs: list[tuple[str, str, str, str]] = []  # id, name, kind, region
    enrollments: list[tuple[str, str, str]] = []  # id, cohort, organization
    members: list[tuple[str, str, str, str, str]] = []  # id, org, user, role, profession

    def user(name: str, email: str) -> str:
        user_id = new_id()
        users.append((user_id, name, email))
        return user_id

    for c in range(1, COHORTS + 1):
        cohort_id = new_id()
        cohorts.append((cohort_id, f"bench-{c:02d}", f"Bench Cohort {c:02d}"))
        for role in STAFF_ROLES:
            staff_user = user(f"Staff {role.title()} {c:02d}", f"staff-{role.lower()}-{c:02d}@example.org")
            staff.append((new_id(), cohort_id, staff_user, role))
        for o in range(1, ORGS_PER_COHORT + 1):
            org_id = new_id()
            number = (c - 1) * ORGS_PER_COHORT + o
            orgs.append(
                (org_id, f"Bench Organization {number:03d}", ORG_KINDS[number % len(ORG_KINDS)], f"Region {c:02d}")
            )
            enrollments.append((new_id(), cohort_id, org_id))
            for m in range(1, MEMBERS_PER_ORG + 1):
                member = user(f"Member {number:03d}-{m}", f"member-{number:03d}-{m}@example.org")
                role = "LEAD" if m == 1 else "MEMBER"
                members.append((new_id(), org_id, member, role, PROFESSIONS[(number + m) % len(PROFESSIONS)]))

    def insert(table: str, columns: str, rows: list[str]) -> str:
        return f"INSERT INTO {sql_ident(table)} ({columns}) VALUES\n" + ",\n".join(rows) + ";\n"

    now = "now()"
    parts = [
        "BEGIN;\n",
        insert(
            "user",
            "id, name, email, role, is_active, created_at, updated_at",
            [f"({sql_str(i)}, {sql_str(n)}, {sql_str(e)}, 'USER', true, {now}, {now})" for i, n, e in users],
        ),
        insert(
            "cohort",
            "id, slug, name, description, starts_on, ends_on, version, created_at, updated_at",
            [
                f"({sql_str(i)}, {sql_str(s)}, {sql_str(n)}, 'A benchmark cohort.', DATE '2026-01-05', "
                f"DATE '2026-12-18', 1, {now}, {now})"
                for i, s, n in cohorts
            ],
        ),
        insert(
            "cohort_staff",
            "id, cohort_id, user_id, role, created_at, updated_at",
            [f"({sql_str(i)}, {sql_str(c)}, {sql_str(u)}, {sql_str(r)}, {now}, {now})" for i, c, u, r in staff],
        ),
        insert(
            "organization",
            "id, name, kind, region, time_zone, version, created_at, updated_at",
            [
                f"({sql_str(i)}, {sql_str(n)}, {sql_str(k)}, {sql_str(r)}, 'America/Denver', 1, {now}, {now})"
                for i, n, k, r in orgs
            ],
        ),
        insert(
            "enrollment",
            "id, cohort_id, organization_id, status, withdrawn_at, created_at, updated_at",
            [f"({sql_str(i)}, {sql_str(c)}, {sql_str(o)}, 'ACTIVE', NULL, {now}, {now})" for i, c, o in enrollments],
        ),
        insert(
            "membership",
            "id, organization_id, user_id, role, profession, is_champion, version, created_at, updated_at",
            [
                f"({sql_str(i)}, {sql_str(o)}, {sql_str(u)}, {sql_str(r)}, {sql_str(p)}, false, 1, {now}, {now})"
                for i, o, u, r, p in members
            ],
        ),
        "COMMIT;\nANALYZE;\n",
    ]
    counts = {
        "users (without the admin)": len(users),
        "cohorts": len(cohorts),
        "cohort_staff": len(staff),
        "organizations": len(orgs),
        "enrollments": len(enrollments),
        "memberships": len(members),
    }
    return "".join(parts), counts


# ---------------------------------------------------------------------------------------------
# The binaries


def binary_env(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["RUST_LOG"] = "warn"
    env.setdefault("PEERLEARN_LOG_FORMAT", "pretty")
    if extra:
        env.update(extra)
    return env


def run_binary(binary: str, args: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [binary, *args], env=binary_env(database_url), text=True, capture_output=True
    )
    if result.returncode != 0:
        raise BenchError(
            f"`{binary} {' '.join(args)}` failed ({result.returncode}):\n{result.stderr.strip()}"
        )
    return result


def binary_version(binary: str) -> str:
    try:
        result = subprocess.run([binary, "--version"], text=True, capture_output=True, timeout=30)
        return result.stdout.strip() or result.stderr.strip()
    except OSError as err:
        raise BenchError(f"cannot run {binary}: {err}") from err


def binary_digest(binary: str) -> str:
    """SHA-256 of the file, to tell builds apart (they all print the same `--version`)."""
    digest = hashlib.sha256()
    with open(binary, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pending_migrations(binary: str, database_url: str) -> list[str]:
    result = subprocess.run(
        [binary, "migrate", "status"], env=binary_env(database_url), text=True, capture_output=True
    )
    if result.returncode != 0:
        # A build whose migration list does not match the database cannot even list them.
        return [f"(`migrate status` failed: {result.stderr.strip().splitlines()[-1:] or ['?']})"]
    return [line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith("pending ")]


def create_admin_token(binary: str, database_url: str) -> str:
    result = run_binary(
        binary,
        [
            "token", "create",
            "--email", ADMIN_EMAIL,
            "--name", "Bench Admin",
            "--role", "admin",
            "--token-name", "bench",
        ],
        database_url,
    )
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    if len(lines) != 1:
        raise BenchError(f"unexpected `token create` output: {result.stdout!r}")
    return lines[0]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    label: str
    binary: str
    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self, database_url: str, extra_env: dict[str, str]) -> None:
        env = binary_env(
            database_url, {"PEERLEARN_LISTEN": f"127.0.0.1:{self.port}", **extra_env}
        )
        log_file = open(self.log_path, "wb")
        try:
            self.process = subprocess.Popen(
                [self.binary, "serve", "--no-migrate"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us only; we stop the servers ourselves
            )
        finally:
            log_file.close()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise BenchError(
                    f"{self.label} server exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/readyz")
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"{self.label} server not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------------------------------------
# Requests


@dataclass
class Client:
    """One keep-alive connection to one server."""

    label: str
    port: int
    token: str
    body: bytes
    conn: http.client.HTTPConnection = field(init=False)
    reconnects: int = 0
    latencies_ns: list[int] = field(default_factory=list)
    first_data: object = None
    response_bytes: int = 0

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {self.token}",
        }

    def send(self) -> tuple[int, int, bytes]:
        """One request: (latency in ns, status, body). If the server had closed the idle
        connection, reconnects and sends again once; only that second attempt (connect
        included) is timed, and it is counted in `reconnects`."""
        for attempt in (1, 2):
            try:
                start = time.perf_counter_ns()
                self.conn.request("POST", "/graphql", body=self.body, headers=self.headers)
                response = self.conn.getresponse()
                payload = response.read()
                elapsed = time.perf_counter_ns() - start
                if response.will_close:
                    # The next request opens a new connection (and times the connect).
                    self.reconnects += 1
                return elapsed, response.status, payload
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
                self.reconnects += 1
        raise AssertionError("unreachable")

    def check(self, status: int, payload: bytes) -> object:
        if status != 200:
            raise BenchError(f"{self.label}: HTTP {status}: {payload[:500]!r}")
        try:
            document = json.loads(payload)
        except ValueError as err:
            raise BenchError(f"{self.label}: response is not JSON: {payload[:500]!r}") from err
        if document.get("errors"):
            raise BenchError(f"{self.label}: errors: {json.dumps(document['errors'])[:1000]}")
        if document.get("data") is None:
            raise BenchError(f"{self.label}: no data: {payload[:500]!r}")
        return document["data"]

    def request(self, timed: bool) -> None:
        elapsed, status, payload = self.send()
        data = self.check(status, payload)
        if self.first_data is None:
            self.first_data = data
            self.response_bytes = len(payload)
        if timed:
            self.latencies_ns.append(elapsed)

    def close(self) -> None:
        self.conn.close()


def check_data_set(data: object) -> None:
    """The first answer must show the whole seeded data set, else the benchmark measures
    something smaller (a seeding or permission problem)."""
    try:
        cohorts = data["cohorts"]  # type: ignore[index]
        assert cohorts["totalCount"] == COHORTS and len(cohorts["nodes"]) == COHORTS
        for cohort in cohorts["nodes"]:
            assert cohort["staff"]["totalCount"] == len(STAFF_ROLES)
            assert sorted(s["role"] for s in cohort["staff"]["nodes"]) == sorted(STAFF_ROLES)
            enrollments = cohort["enrollments"]
            assert enrollments["totalCount"] == ORGS_PER_COHORT
            assert len(enrollments["nodes"]) == ORGS_PER_COHORT
            for enrollment in enrollments["nodes"]:
                assert enrollment["status"] == "ACTIVE"
                members = enrollment["organization"]["members"]
                assert members["totalCount"] == MEMBERS_PER_ORG
                assert len(members["nodes"]) == MEMBERS_PER_ORG
    except (AssertionError, KeyError, TypeError) as err:
        raise BenchError(
            "the response does not hold the seeded data set: "
            + json.dumps(data)[:1000]
        ) from err


# ---------------------------------------------------------------------------------------------
# Statistics


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return float("nan")
    position = (len(sorted_values) - 1) * q
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def summarize(latencies_ns: list[int]) -> dict[str, float]:
    ms = sorted(value / 1e6 for value in latencies_ns)
    total_s = sum(latencies_ns) / 1e9
    return {
        "requests": len(ms),
        "median_ms": percentile(ms, 0.5),
        "p90_ms": percentile(ms, 0.9),
        "p99_ms": percentile(ms, 0.99),
        "mean_ms": statistics.fmean(ms),
        "min_ms": ms[0],
        "max_ms": ms[-1],
        # Sequential requests: throughput at concurrency 1 is one over the mean latency.
        "requests_per_s": len(ms) / total_s if total_s else float("nan"),
    }


def median_ratio_interval(baseline: list[int], candidate: list[int], rounds: int = 2000) -> tuple[float, float]:
    """A 95% bootstrap interval of median(candidate) / median(baseline), resampling the
    alternating request pairs together (they shared the machine's state)."""
    rng = random.Random(12345)
    pairs = list(zip(baseline, candidate))
    n = len(pairs)
    ratios = []
    for _ in range(rounds):
        sample = [pairs[rng.randrange(n)] for _ in range(n)]
        b = statistics.median(p[0] for p in sample)
        c = statistics.median(p[1] for p in sample)
        ratios.append(c / b)
    ratios.sort()
    return percentile(ratios, 0.025), percentile(ratios, 0.975)


# ---------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Latency of the nested cohort page on two peerlearn builds, side by side."
    )
    parser.add_argument("--baseline", required=True, help="baseline `peerlearn` binary")
    parser.add_argument("--candidate", required=True, help="candidate `peerlearn` binary")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL database to (re)create and use (default: {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--requests", type=int, default=400, help="timed requests per binary (default 400)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests per binary first (default 50)")
    parser.add_argument(
        "--migrate-with",
        choices=("baseline", "candidate", "both"),
        default="baseline",
        help="which binary's `migrate up` builds the schema (default baseline; `both` runs the "
        "baseline's, then the candidate's for any migrations it adds)",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for both servers, e.g. PEERLEARN_WORKERS=1 (repeatable)",
    )
    parser.add_argument("--ready-timeout", type=float, default=60, help="seconds to wait for /readyz")
    parser.add_argument(
        "--json",
        metavar="PATH",
        help="also write the results as JSON to PATH (`-` for stdout; the table then goes to stderr)",
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup at least 0")
    for binary in (args.baseline, args.candidate):
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            parser.error(f"not an executable file: {binary}")
    for item in args.server_env:
        if "=" not in item:
            parser.error(f"--server-env wants KEY=VALUE, got {item!r}")
    return args


def prepare_database(args: argparse.Namespace) -> str:
    """Recreates, migrates and seeds the database; returns the admin token."""
    url = args.database_url
    log(f"recreating database {database_name(url)}")
    recreate_database(url)
    migrators = {"baseline": [args.baseline], "candidate": [args.candidate], "both": [args.baseline, args.candidate]}[
        args.migrate_with
    ]
    for binary in migrators:
        log(f"migrating with {binary}")
        run_binary(binary, ["migrate", "up"], url)
    for label, binary in (("baseline", args.baseline), ("candidate", args.candidate)):
        pending = pending_migrations(binary, url)
        if pending:
            log(f"warning: the {label} build has migrations that are not applied: {', '.join(pending)}")
    sql, counts = seed_sql()
    log("seeding: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    psql(url, sql)
    # `token create` migrates first, so it comes from the binary that built the schema.
    token = create_admin_token(migrators[-1], url)
    log(f"admin {ADMIN_EMAIL} has a fresh personal access token")
    return token


def measure(args: argparse.Namespace, token: str, workdir: Path) -> dict:
    extra_env = dict(item.split("=", 1) for item in args.server_env)
    ports = set()
    while len(ports) < 2:
        ports.add(free_port())
    baseline_port, candidate_port = sorted(ports)
    servers = [
        Server("baseline", args.baseline, baseline_port, workdir / "baseline.log"),
        Server("candidate", args.candidate, candidate_port, workdir / "candidate.log"),
    ]
    clients: list[Client] = []
    try:
        for server in servers:
            server.start(args.database_url, extra_env)
        for server in servers:
            server.wait_ready(args.ready_timeout)
            log(f"{server.label} ready on 127.0.0.1:{server.port}")
        body = json.dumps({"query": QUERY, "variables": VARIABLES}).encode()
        clients = [Client(s.label, s.port, token, body) for s in servers]
        baseline, candidate = clients

        # Both answer the same before anything is timed.
        baseline.request(timed=False)
        candidate.request(timed=False)
        check_data_set(baseline.first_data)
        if baseline.first_data != candidate.first_data:
            raise BenchError(
                "the two servers answer differently:\n"
                f"baseline:  {json.dumps(baseline.first_data, sort_keys=True)[:800]}\n"
                f"candidate: {json.dumps(candidate.first_data, sort_keys=True)[:800]}"
            )
        log(f"both servers return the same {baseline.response_bytes} byte answer")

        log(f"warm-up: {args.warmup} requests per server")
        for i in range(args.warmup):
            for client in (clients if i % 2 == 0 else clients[::-1]):
                client.request(timed=False)
        log(f"measuring: {args.requests} requests per server, alternating, concurrency 1")
        started = time.perf_counter()
        for i in range(args.requests):
            # Alternate who goes first too, so neither always follows the other.
            for client in (clients if i % 2 == 0 else clients[::-1]):
                client.request(timed=True)
        wall_s = time.perf_counter() - started
    finally:
        for client in clients:
            client.close()
        for server in servers:
            server.stop()

    base_stats = summarize(baseline.latencies_ns)
    cand_stats = summarize(candidate.latencies_ns)
    low, high = median_ratio_interval(baseline.latencies_ns, candidate.latencies_ns)
    return {
        "query": QUERY,
        "variables": VARIABLES,
        "data_set": {
            "cohorts": COHORTS,
            "staff_per_cohort": len(STAFF_ROLES),
            "organizations_per_cohort": ORGS_PER_COHORT,
            "members_per_organization": MEMBERS_PER_ORG,
        },
        "response_bytes": baseline.response_bytes,
        "warmup": args.warmup,
        "wall_s": wall_s,
        "server_env": extra_env,
        "baseline": {
            "binary": os.path.abspath(args.baseline),
            "version": binary_version(args.baseline),
            "sha256": binary_digest(args.baseline),
            "reconnects": baseline.reconnects,
            **base_stats,
        },
        "candidate": {
            "binary": os.path.abspath(args.candidate),
            "version": binary_version(args.candidate),
            "sha256": binary_digest(args.candidate),
            "reconnects": candidate.reconnects,
            **cand_stats,
        },
        "ratio": {
            "median": cand_stats["median_ms"] / base_stats["median_ms"],
            "median_95ci": [low, high],
            "p90": cand_stats["p90_ms"] / base_stats["p90_ms"],
            "p99": cand_stats["p99_ms"] / base_stats["p99_ms"],
            "requests_per_s": cand_stats["requests_per_s"] / base_stats["requests_per_s"],
        },
    }


def table(result: dict) -> str:
    b, c, r = result["baseline"], result["candidate"], result["ratio"]
    rows = [
        ("", "baseline", "candidate", "cand/base"),
        ("median ms", f"{b['median_ms']:.2f}", f"{c['median_ms']:.2f}", f"{r['median']:.3f}"),
        ("p90 ms", f"{b['p90_ms']:.2f}", f"{c['p90_ms']:.2f}", f"{r['p90']:.3f}"),
        ("p99 ms", f"{b['p99_ms']:.2f}", f"{c['p99_ms']:.2f}", f"{r['p99']:.3f}"),
        ("mean ms", f"{b['mean_ms']:.2f}", f"{c['mean_ms']:.2f}", ""),
        ("req/s (c=1)", f"{b['requests_per_s']:.1f}", f"{c['requests_per_s']:.1f}", f"{r['requests_per_s']:.3f}"),
        ("requests", str(b["requests"]), str(c["requests"]), ""),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        f"baseline:  {b['binary']} ({b['version']}, sha256 {b['sha256'][:12]})",
        f"candidate: {c['binary']} ({c['version']}, sha256 {c['sha256'][:12]})",
        f"nested page: {result['response_bytes']} bytes per answer, "
        f"{result['warmup']} warm-up + {b['requests']} timed requests per server",
        "",
    ]
    for i, row in enumerate(rows):
        lines.append(
            "  ".join(
                cell.ljust(widths[j]) if j == 0 else cell.rjust(widths[j]) for j, cell in enumerate(row)
            )
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    low, high = r["median_95ci"]
    lines.append("")
    lines.append(f"median ratio candidate/baseline: {r['median']:.3f} (95% bootstrap interval {low:.3f}-{high:.3f})")
    reconnects = b["reconnects"] + c["reconnects"]
    if reconnects:
        lines.append(f"note: {reconnects} reconnect(s) after the server closed a keep-alive connection")
    return "\n".join(lines)


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM ends the run like Ctrl-C: through the `finally` that stops the servers.
    signal.signal(signal.SIGTERM, interrupt)
    try:
        with tempfile.TemporaryDirectory(prefix="peerlearn-bench-") as tmp:
            try:
                token = prepare_database(args)
                result = measure(args, token, Path(tmp))
            finally:
                if args.drop:
                    log(f"dropping database {database_name(args.database_url)}")
                    try:
                        drop_database(args.database_url)
                    except BenchError as err:
                        log(f"warning: {err}")
    except BenchError as err:
        log(f"error: {err}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    text = table(result)
    if args.json == "-":
        print(text, file=sys.stderr)
        json.dump(result, sys.stdout, indent=2)
        print()
    else:
        print(text)
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
            log(f"results written to {args.json}")
    if not args.drop:
        log(f"database {database_name(args.database_url)} left in place (--drop removes it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
