"""What the benchmarks share: throwaway settings and database, spare Redis databases, the
programme their meetings belong to, a gunicorn on a free port, one-off HTTP requests to
it, bursts of them from many clients, and the paired ratios and report of their measures."""

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
# The load average per core above which a missed floor is said to be missed under load:
# the other jobs of a shared machine, not the code, may have missed it.
LOADED = 1.5
# That load is read as the benchmark starts (this module is imported then): each
# benchmark's own server and clients keep both cores busy by design, so the last minute's
# load average read after its bursts is above LOADED even on a machine that was quiet.
_LOAD_AT_START = os.getloadavg()[0]
THEMES = (
    ("mobility", "Mobilité", "Mobiliteit"),
    ("employment", "Emploi transfrontalier", "Grensoverschrijdend werk"),
    ("health", "Santé", "Gezondheid"),
    ("water", "Eau & énergie", "Water & energie"),
    ("culture", "Culture; patrimoine", "Cultuur; erfgoed"),
    ("security", "Sécurité, secours", "Veiligheid, hulpdiensten"),
)


def environment_prepare(tmp: Path) -> None:
    """Point settings at throwaway storage before Django reads them: a SQLite file in
    `tmp`, unless DATABASE_URL names a database server."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")
    if os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"


def database_create() -> tuple[str, Callable[[], None]]:
    """Migrate a database of our own; return its URL for the server and how to drop it.

    SQLite: the file DATABASE_URL names (a temporary one, from `environment_prepare`).
    PostgreSQL: a test database beside DATABASE_URL's, created and dropped as Django's
    test runner does, under a name of this process's: Django's own, test_<name>, may be
    a test run's at that moment, and creating it drops whatever has that name.
    """
    from django.core.management import call_command
    from django.db import connection

    url = os.environ["DATABASE_URL"]
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return url, lambda: None
    real_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"test_{real_name}_bench_{os.getpid()}"
    created = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return (
        urlsplit(url)._replace(path=f"/{created}").geturl(),
        lambda: connection.creation.destroy_test_db(real_name, verbosity=0),
    )


def cache_drop() -> None:
    """Remove every key under the benchmark's private prefix (CACHE_KEY_PREFIX) from a
    shared Redis cache."""
    from django.conf import settings

    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_CACHE_URL)
        for key in client.scan_iter(f"{os.environ['CACHE_KEY_PREFIX']}:*"):
            client.delete(key)


def redis_check_empty(urls: Sequence[str], hint: str) -> None:
    """Refuse Redis databases that hold keys: the benchmark empties its databases when it
    is done, so it only takes spare ones. `hint` says how to pick others."""
    import redis

    for url in urls:
        client = redis.Redis.from_url(url)
        try:
            size = client.dbsize()
        except redis.RedisError as error:
            raise SystemExit(f"Redis at {url} does not answer: {error}") from error
        if size:
            raise SystemExit(
                f"Redis database {url} holds {size} keys: the benchmark needs spare, empty "
                f"databases, and empties them when it is done. {hint}"
            )


def redis_empty(urls: Sequence[str]) -> None:
    """Remove the benchmark's queues and cache keys: the databases were empty before."""
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


def programme_create(year: int) -> tuple:
    """A published programme for `year`, the `THEMES` and 40 communes, French and Belgian
    in turn: what the benchmarks' meetings hang on.

    Bulk inserts send no signals, so no background job is queued for the real broker.
    """
    from meetings.models import Organisation, Programme, Theme

    (programme,) = Programme.objects.bulk_create(
        [
            Programme(
                year=year,
                title_fr=f"Rencontres de proximité {year}",
                title_nl=f"Nabijheidsontmoetingen {year}",
                status=Programme.Status.PUBLISHED,
            )
        ]
    )
    themes = Theme.objects.bulk_create(
        Theme(slug=slug, name_fr=fr, name_nl=nl) for slug, fr, nl in THEMES
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Commune {n}",
            kind=Organisation.Kind.MUNICIPALITY,
            country=("FR", "BE")[n % 2],
            postcode=str(7000 + n),
        )
        for n in range(40)
    )
    return programme, themes, organisations


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, str | None, bytes]:
    """Status, ETag and body of one GET on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("ETag"), response.read()
    finally:
        connection.close()


def gunicorn_start(
    database_url: str,
    options: Sequence[str] = ("--workers=2",),
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, int]:
    """A gunicorn serving the site on a free port, once it answers /healthz."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "events_site.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            *options,
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {}), "DATABASE_URL": database_url},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz")[0] == 200:
                return server, port
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    server.kill()
    server.wait()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def process_stop(process: subprocess.Popen) -> None:
    """SIGTERM, so that a gunicorn or a Celery worker finishes what it is doing; SIGKILL
    if it has not within 30 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- The load generator -------------------------------------------------------------------

# method, path, body, headers
Request = tuple[str, str, bytes | None, dict[str, str]]


def _client(
    port: int,
    requests: list[Request],
    start: threading.Barrier,
    out: list,
    offset: float,
    pace: float,
) -> None:
    """One client: its requests one after the other, each on a new connection (each is
    another person's phone or another scan); with a `pace`, one every `pace` seconds from
    `offset` on, as a phone polling a timer."""
    start.wait(timeout=60)
    first = time.perf_counter() + offset
    for n, (method, path, body, headers) in enumerate(requests):
        if pace:
            time.sleep(max(0.0, first + n * pace - time.perf_counter()))
        began = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.status, response.read()
        except OSError as error:
            answer = 0, str(error).encode()
        finally:
            connection.close()
        ended = time.perf_counter()
        out.append((began, ended, *answer))


def _process(
    port: int, shares: list[list[Request]], offsets: list[float], pace: float
) -> list[tuple[float, float, int, bytes]]:
    """Clients in one process, one thread each, released together."""
    start = threading.Barrier(len(shares))
    out: list = []
    threads = [
        threading.Thread(target=_client, args=(port, share, start, out, offset, pace))
        for share, offset in zip(shares, offsets, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def burst(
    pool: ProcessPoolExecutor,
    port: int,
    requests: list[Request],
    *,
    processes: int,
    threads: int,
    pace: float = 0.0,
) -> tuple[float, list[float], list[tuple[int, bytes]]]:
    """Send `requests` from processes × threads clients at once (several processes, so
    that the load generator is not one GIL): requests per second over the whole burst
    (first request sent to last answer received), latencies, and the (status, body)
    answers. `pace` > 0 spaces each client's requests by that many seconds, the clients'
    phases spread evenly over it; 0 sends them back to back."""
    clients = processes * threads
    shares = [requests[n::clients] for n in range(clients)]
    offsets = [pace * n / clients for n in range(clients)]
    results = [
        item
        for chunk in pool.map(
            _process,
            [port] * processes,
            [shares[p * threads : (p + 1) * threads] for p in range(processes)],
            [offsets[p * threads : (p + 1) * threads] for p in range(processes)],
            [pace] * processes,
        )
        for item in chunk
    ]
    # perf_counter is CLOCK_MONOTONIC on Linux: comparable between processes.
    elapsed = max(r[1] for r in results) - min(r[0] for r in results)
    return len(results) / elapsed, [r[1] - r[0] for r in results], [(r[2], r[3]) for r in results]


def paired_ratio(measured: Sequence[float], reference: Sequence[float]) -> float:
    """The median of each round's measured ÷ reference. A round's two runs follow each
    other, so their ratio is immune to the load drifting between rounds on a shared
    machine; the ratio of the two medians is not."""
    return statistics.median(m / r for m, r in zip(measured, reference, strict=True))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def load_average() -> str:
    """The machine's load averages (1, 5 and 15 minutes), as each benchmark prints them
    beside its figures."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def verdict(passed: bool) -> str:
    """PASS, or FAIL with "(under load)" when the last minute's load average per core
    was above `LOADED` as the benchmark started."""
    if passed:
        return "PASS"
    load = _LOAD_AT_START / (os.cpu_count() or 1)
    return "FAIL (under load)" if load > LOADED else "FAIL"


def report(results: Sequence[tuple[bool, str]], started: float | None = None) -> int:
    """Print each measure's line (and the run's duration since `started`), and return the
    exit status: 0 when every measure met its bar."""
    for _passed, line in results:
        print(line)
    if started is not None:
        print(f"{time.perf_counter() - started:.0f} s")
    return 0 if all(passed for passed, _line in results) else 1
