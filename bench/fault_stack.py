"""The real stack for bench/faults.py: its own Redis, gunicorn and Celery worker, a
small seeded tree, and a clerk driving the pages over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
PASSWORD = "Faults-bench-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, db: str, tmp: Path):
        self.tmp = tmp
        self.redis_port = free_port()
        self.web_port = free_port()
        self.health_port = free_port()  # the thread each web worker keeps for /health/
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "LIAISON_VAR_DIR": str(tmp / "var"),
            "CELERY_TASK_DEFAULT_QUEUE": "faults",
            # Redelivery of a dead worker's task after 5 s (the default is an hour).
            "CELERY_TRANSPORT_OPTIONS": '{"visibility_timeout": 5, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}',
            # A task sent and not started is sent again by the drain after 5 s (default 120).
            "LIAISON_OUTBOX_RESEND_SECONDS": "5",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
        self.redis = self.web = self.worker = None
        self.workers: list = []

    def manage(self, *args, check=True):
        return subprocess.run(
            [PY, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=check,
            capture_output=True,
            text=True,
        )

    def start_redis(self, persist: bool = True):
        """Redis as production runs it (AOF), or without persistence (``persist=False``):
        then a restart loses every message it held."""
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if persist else "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_port(self.redis_port)

    def stop_redis(self):
        self.redis.send_signal(signal.SIGTERM)
        self.redis.wait(10)

    def start_web(self):
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                "portal/gunicorn_conf.py",  # as production runs it: 2 workers × 8 threads
                "portal.wsgi",
                "-b",
                f"127.0.0.1:{self.web_port}",
            ],
            cwd=ROOT,
            env={
                **self.env,
                "LIAISON_PROCESS": "web",
                "GUNICORN_HEALTH_BIND": f"127.0.0.1:{self.health_port}",
            },
            stdout=open(self.tmp / "web.log", "a"),
            stderr=subprocess.STDOUT,
        )
        wait_port(self.web_port)

    def start_worker(self):
        worker = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "-Q",
                "faults",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env={**self.env, "LIAISON_PROCESS": "worker"},
            stdout=open(self.tmp / f"worker{len(self.workers)}.log", "a"),
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        return worker

    def url(self, path):
        return f"http://127.0.0.1:{self.web_port}{path}"

    def health_url(self):
        return f"http://127.0.0.1:{self.health_port}/health/"

    def stop(self):
        for proc in [self.web, *self.workers, self.redis]:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)


def wait_port(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


SETUP = r"""
from datetime import date
from django.contrib.auth import get_user_model
from responsibility_areas.models import Level, Role
from responsibility_areas.services import AreaSpec, ensure_area_tree, grant_membership
from liaison.services import register_cadre, register_household, pair_household
from tests.liaison.factories import id_number
tree = ensure_area_tree(actor=None, actor_name="bench", specs=[
    AreaSpec("p", None, "云南省", Level.PROVINCE, "530000000000"),
    AreaSpec("c", "p", "普洱市", Level.CITY, "530800000000"),
    AreaSpec("ca", "c", "思茅区", Level.COUNTY, "530802000000"),
    AreaSpec("ta", "ca", "思茅镇", Level.TOWNSHIP, "530802101000"),
    AreaSpec("va", "ta", "甲村", Level.VILLAGE, "530802101201"),
])
user = get_user_model().objects.create_user("bench_clerk", password="%(password)s", last_name="张")
grant_membership(actor=None, actor_name="bench", user=user, area=tree["ta"], role=Role.CLERK,
                 start_date=date(2020, 1, 1))
cadre = register_cadre(actor=None, area=tree["ta"], name="刘强", rank="township", unit="镇政府",
                       post="副镇长", phone="13900000001")
for n in range(20):
    h = register_household(actor=None, area=tree["va"], head_name=f"王{n}", id_number=id_number(sequence=n + 1))
    pair_household(actor=None, cadre=cadre, household=h, kind="territorial")
print("ready", cadre.pk)
"""

COUNT = r"""
from liaison.models import Visit, Household, ImportJob
from foundation.models import Outbox
from grievances.models import Matter
print("counts", Visit.objects.count(), Matter.objects.count(), Household.objects.count(),
      ",".join(sorted(ImportJob.objects.values_list("status", flat=True))),
      Outbox.objects.filter(sent_at__isnull=True).count())
print("dupes", Visit.objects.values("q_basic").order_by().annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")).filter(n__gt=1).count())
"""


def counts(stack):
    out = stack.manage("shell", "-c", COUNT).stdout
    visits, matters, households, statuses, waiting = re.search(
        r"counts (\d+) (\d+) (\d+) (\S*) (\d+)", out
    ).groups()
    dupes = int(re.search(r"dupes (\d+)", out).group(1))
    return {
        "visits": int(visits),
        "matters": int(matters),
        "households": int(households),
        "jobs": statuses.split(",") if statuses else [],
        "outbox_waiting": int(waiting),
        "duplicate_diaries": dupes,
    }


class Clerk:
    def __init__(self, stack):
        self.stack = stack
        self.s = requests.Session()
        page = self.s.get(stack.url("/login/"), timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        r = self.s.post(
            stack.url("/login/"),
            timeout=10,
            data={"csrfmiddlewaretoken": token, "username": "bench_clerk", "password": PASSWORD},
            headers={"Referer": stack.url("/login/")},
        )
        assert "sessionid" in self.s.cookies, r.status_code

    def csrf(self):
        return self.s.cookies.get("csrftoken")

    def diary(self, cadre, household_ids, label, token, timeout=40):
        data = {
            "csrfmiddlewaretoken": self.csrf(),
            "submission": token,
            "cadre": cadre,
            "visited_on": "2026-06-01",
            "kind": "home",
            "place": "",
            "stay_days": "0",
            "q_basic": label,
            "households": household_ids,
            "matters-TOTAL_FORMS": "1",
            "matters-INITIAL_FORMS": "0",
            "matters-MIN_NUM_FORMS": "0",
            "matters-MAX_NUM_FORMS": "50",
            "matters-0-household": household_ids[0],
            "matters-0-kind": "difficulty",
            "matters-0-description": f"事项 {label}",
        }
        return self.s.post(
            self.stack.url("/diary/new/"),
            data=data,
            timeout=timeout,
            allow_redirects=False,
            headers={"Referer": self.stack.url("/diary/new/")},
        )


def household_ids(stack):
    out = stack.manage(
        "shell",
        "-c",
        "from liaison.models import Household; print('ids', list(Household.objects.order_by('id').values_list('id', flat=True)[:20]))",
    ).stdout
    return [int(x) for x in re.search(r"ids \[(.*)\]", out).group(1).split(", ")]


def roster_file(tmp: Path, rows: int, start: int = 0, suffix: str = "") -> Path:
    """``rows`` new households in 甲村 paired with 刘强, each with an ID number of its own
    (``suffix`` after each head's name: a corrected file of the same households)."""
    from datetime import date, timedelta  # noqa: PLC0415

    sys.path.insert(0, str(ROOT))
    from tests.liaison.factories import id_number  # noqa: PLC0415
    from tests.liaison.roster_files import roster_row, xlsx_bytes  # noqa: PLC0415

    surnames, given = "王李张刘陈杨黄赵周吴", "明华国建平志红英芳军伟秀兰玉海林春云强丽"
    body = []
    for n in range(start, start + rows):
        born = (date(1950, 1, 1) + timedelta(days=n // 999)).strftime("%Y%m%d")
        body.append(
            roster_row(
                **{
                    "户主姓名": surnames[n % 10] + given[n % 20] + given[(n // 20) % 20] + suffix,
                    "公民身份号码": id_number(born=born, sequence=n % 999 + 1),
                    "联系电话": f"137{n:08d}",
                    "村民小组": "",
                }
            )
        )
    path = tmp / f"roster-{start}-{rows}{'-' + str(len(suffix)) if suffix else ''}.xlsx"
    path.write_bytes(xlsx_bytes(body))
    return path


def upload(clerk, path):
    page = clerk.s.get(clerk.stack.url("/imports/"), timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    with open(path, "rb") as fh:
        r = clerk.s.post(
            clerk.stack.url("/imports/"),
            data={"csrfmiddlewaretoken": token, "sheet": ""},
            files={"file": (path.name, fh)},
            allow_redirects=False,
            timeout=60,
            headers={"Referer": clerk.stack.url("/imports/")},
        )
    job = int(re.search(r"/imports/(\d+)/", r.headers["Location"]).group(1))
    return job


def post_fetch(clerk, path, data=None):
    return clerk.s.post(
        clerk.stack.url(path),
        data=data or {},
        timeout=30,
        headers={
            "X-Requested-With": "fetch",
            "X-CSRFToken": clerk.csrf(),
            "Referer": clerk.stack.url("/imports/"),
        },
    )


def wait_status(stack, job, wanted, timeout=300, every=0.1):
    """Poll the job's status straight from PostgreSQL (a Django process per poll is too slow)."""
    import psycopg2  # noqa: PLC0415

    db = stack.env["DATABASE_URL"].rsplit("/", 1)[1]
    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=db)
    conn.autocommit = True
    end, status = time.time() + timeout, None
    try:
        while time.time() < end:
            with conn.cursor() as cur:
                cur.execute("SELECT status FROM liaison_importjob WHERE id = %s", [job])
                status = cur.fetchone()[0]
            if status in wanted:
                return status
            time.sleep(every)
        return status
    finally:
        conn.close()
