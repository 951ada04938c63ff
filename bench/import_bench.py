"""Roster import at 100,000 rows: ours vs a plain django-import-export resource vs COPY.

    createdb -h 127.0.0.1 -U postgres liaison_import_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_import_bench \\
        .venv/bin/python bench/import_bench.py --rows 100000 --repeat 3 --plain-rows 5000

* ours: preview (``plan_roster``: read with calamine + check every row, then keep the
  cell-checked rows beside the file as ``tasks.run_import`` does) and then import (load the
  kept rows, ``plan_roster`` checks every row against the database again, + one
  ``services.import_roster`` transaction writing cadres, households and pairings) into
  empty tables; also the re-import of the same file (nothing to write). Each run in a
  fresh subprocess so that its peak RSS is its own.
* plain: a ``ModelResource`` for households in django-import-export's default mode
  (row by row, an instance lookup and a save per row, one transaction), fed a dataset
  whose columns are already the model's (encryption done beforehand, not timed), area by
  ``ForeignKeyWidget(Area, "path")``. Too slow for 100k rows: timed on ``--plain-rows``
  and extrapolated linearly. It writes ONE table; ours writes three.
* COPY: ``COPY ... FROM STDIN`` of the same rows into the households table, and of the
  same rows into households + cadres + pairings (with ids assigned), from prepared TSV.

Not a timed test; figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from foundation.identity import check_character  # noqa: E402
from responsibility_areas.models import Level  # noqa: E402

TOWNSHIPS, VILLAGES = 10, 20  # 200 villages
HOUSEHOLDS_PER_CADRE = 10
FILE_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/liaison_import_bench"))


def id_number(i: int) -> str:
    born = date(1950, 1, 1) + timedelta(days=i // 900)
    body = f"530802{born:%Y%m%d}{i % 900 + 100:03d}"
    return body + check_character(body)


def roster_values(i: int) -> list:
    t, v = (i // VILLAGES) % TOWNSHIPS, i % VILLAGES
    c = i // HOUSEHOLDS_PER_CADRE
    return [
        "测试县",
        f"第{t}镇",
        f"第{t}镇{v}村",
        "",
        f"户主{i % 5000}",
        id_number(i),
        f"138{i:08d}",
        1 + i % 6,
        "低保户、残疾人家庭" if i % 7 == 0 else "",
        "否",
        f"干部{c}",
        f"第{t}镇人民政府",
        "科员",
        f"139{c:08d}",
        "属地结对",
        "2024-03-01",
    ]


def roster_file(rows: int) -> Path:
    from openpyxl import Workbook

    from liaison.importing import ROSTER_COLUMNS

    path = FILE_DIR / f"roster_{rows}.xlsx"
    if path.exists():
        return path
    FILE_DIR.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(["测试县干部结对联户花名册"])
    sheet.append([h for k, h, _a in ROSTER_COLUMNS if k != "division_code"])
    for i in range(rows):
        sheet.append(roster_values(i))
    sheet.append(["填表人：某某    审核人：某某"])
    book.save(path)
    return path


def ensure_tree():
    from responsibility_areas.services import AreaSpec, ensure_area_tree

    specs = [
        AreaSpec("p", None, "云南省", Level.PROVINCE),
        AreaSpec("c", "p", "普洱市", Level.CITY),
        AreaSpec("k", "c", "测试县", Level.COUNTY),
    ]
    for t in range(TOWNSHIPS):
        specs.append(AreaSpec(f"t{t}", "k", f"第{t}镇", Level.TOWNSHIP))
        specs += [
            AreaSpec(f"v{t}-{v}", f"t{t}", f"第{t}镇{v}村", Level.VILLAGE) for v in range(VILLAGES)
        ]
    return ensure_area_tree(actor=None, actor_name="bench", specs=specs)


def bench_user():
    from django.contrib.auth import get_user_model

    from responsibility_areas.models import Area, Role
    from responsibility_areas.services import grant_membership

    user, created = get_user_model().objects.get_or_create(username="bench_import_leader")
    if created:
        grant_membership(
            actor=None,
            actor_name="bench",
            user=user,
            role=Role.COUNTY_LEADER,
            area=Area.objects.get(name="测试县"),
            start_date=date(2020, 1, 1),
        )
    return user


def empty_people():
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE liaison_pairing, liaison_household, liaison_cadre, "
            "liaison_auditevent RESTART IDENTITY CASCADE"
        )


def run_ours(rows: int, reimport: bool) -> dict:
    """One subprocess run: preview, then import (or, with ``reimport``, the unchanged re-import).

    As ``tasks.run_import`` does it: the preview reads and checks the file and keeps the
    cell-checked rows beside it (``importing.keep``); the confirm step loads them, checks
    every row against the database again and writes.
    """
    import hashlib

    from liaison import services
    from liaison.importing import plan_roster
    from liaison.importing.keep import kept_path, load_checked, save_checked

    user = bench_user()
    path = roster_file(rows)
    kept = kept_path(path.with_name(f"upload_{os.getpid()}.xlsx"))
    c0 = time.process_time()
    t0 = time.perf_counter()
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    plan = plan_roster(data, file_name="roster.xlsx", user=user)
    save_checked(plan.checked, kept, sha256=sha256)
    preview = plan.report
    del plan  # the preview's plan is dropped, as between two task runs
    t1 = time.perf_counter()
    data = path.read_bytes()
    checked = load_checked(kept, sha256=hashlib.sha256(data).hexdigest())
    assert checked is not None
    plan = plan_roster(checked, file_name="roster.xlsx", user=user)
    t2 = time.perf_counter()
    report = services.import_roster(actor=user, plan=plan, file_name="roster.xlsx")
    t3 = time.perf_counter()
    kept.unlink()
    assert not preview.errors, preview.errors[:3]
    return {
        "preview": t1 - t0,
        "check": t2 - t1,
        "write": t3 - t2,
        "total": t3 - t0,
        "cpu": time.process_time() - c0,
        "load": os.getloadavg()[0],
        "new": report.new,
        "unchanged": report.unchanged,
        "reimport": reimport,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def prepared_rows(n: int) -> list[dict]:
    """The rows as model columns (what a plain resource or COPY is fed); not timed."""
    from foundation import crypto
    from foundation.identity import mask_id_number, mask_mobile
    from liaison.services import initials
    from responsibility_areas.models import Area

    places = {name: (pk, path) for pk, path, name in Area.objects.values_list("id", "path", "name")}
    county = places["测试县"][0]
    rows = []
    for i in range(n):
        v = roster_values(i)
        number, phone = v[5], v[6]
        area_id, path = places[v[2]]
        rows.append(
            {
                "head_name": v[4],
                "name_initials": initials(v[4]),
                "id_number_encrypted": crypto.encrypt(number),
                "id_number_hash": crypto.blind_index(number),
                "id_last4": number[-4:],
                "id_number_masked": mask_id_number(number),
                "phone_masked": mask_mobile(phone),
                "phone_encrypted": crypto.encrypt(phone),
                "phone_last4": phone[-4:],
                "members": v[7],
                "categories": 0,
                "party_member": False,
                "area": path,
                "area_path": path,
                "county": county,
                "township": places[v[1]][0],
                "_area_id": area_id,
                "_cadre": (v[10], v[12], v[13]),
            }
        )
    return rows


def run_plain(n: int) -> dict:
    import tablib
    from import_export import fields, resources, widgets

    from liaison.models import Household
    from responsibility_areas.models import Area

    class PlainHouseholdResource(resources.ModelResource):
        area = fields.Field(
            attribute="area", column_name="area", widget=widgets.ForeignKeyWidget(Area, "path")
        )
        county = fields.Field(
            attribute="county", column_name="county", widget=widgets.ForeignKeyWidget(Area)
        )
        township = fields.Field(
            attribute="township", column_name="township", widget=widgets.ForeignKeyWidget(Area)
        )

        class Meta:
            model = Household
            import_id_fields = ("id_number_hash",)
            fields = (
                "head_name",
                "name_initials",
                "id_number_encrypted",
                "id_number_hash",
                "id_last4",
                "id_number_masked",
                "phone_masked",
                "phone_encrypted",
                "phone_last4",
                "members",
                "categories",
                "party_member",
                "area",
                "area_path",
                "county",
                "township",
            )

    rows = prepared_rows(n)
    headers = list(PlainHouseholdResource.Meta.fields)
    dataset = tablib.Dataset(*[[r[h] for h in headers] for r in rows], headers=headers)
    t0 = time.perf_counter()
    result = PlainHouseholdResource().import_data(dataset, dry_run=False)
    elapsed = time.perf_counter() - t0
    assert not result.has_errors() and not result.has_validation_errors()
    assert Household.objects.count() == n
    return {"rows": n, "seconds": elapsed, "rows_per_s": n / elapsed}


def run_copy(n: int, all_tables: bool) -> dict:
    rows = prepared_rows(n)
    cols = [
        "head_name",
        "name_initials",
        "id_number_encrypted",
        "id_number_hash",
        "id_last4",
        "id_number_masked",
        "phone_masked",
        "phone_encrypted",
        "phone_last4",
        "members",
        "categories",
        "party_member",
        "address",
        "area_id",
        "area_path",
        "county_id",
        "township_id",
        "created_at",
        "updated_at",
    ]
    now = "2026-11-23 00:00:00+00"
    households = io.StringIO()
    for i, r in enumerate(rows, 1):
        values = [
            r["head_name"],
            r["name_initials"],
            r["id_number_encrypted"],
            r["id_number_hash"],
            r["id_last4"],
            r["id_number_masked"],
            r["phone_masked"],
            r["phone_encrypted"],
            r["phone_last4"],
            r["members"],
            r["categories"],
            "f",
            "",
            r["_area_id"],
            r["area_path"],
            r["county"],
            r["township"],
            now,
            now,
        ]
        households.write(f"{i}\t" + "\t".join(str(x) for x in values) + "\n")
    cadres, pairings, seen = io.StringIO(), io.StringIO(), {}
    for i, r in enumerate(rows, 1):
        name, _post, phone = r["_cadre"]
        if phone not in seen:
            seen[phone] = len(seen) + 1
            cadres.write(
                f"{seen[phone]}\t{name}\ttownship\t单位\t科员\t{phone}\t\tf\t{r['_area_id']}\t"
                f"{r['area_path']}\t{r['county']}\t{r['township']}\n"
            )
        pairings.write(
            f"{i}\t{seen[phone]}\t{i}\tterritorial\t2024-03-01\t\\N\t{r['_area_id']}\t"
            f"{r['area_path']}\t{r['county']}\t{r['township']}\n"
        )
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for buf in (households, cadres, pairings):
            buf.seek(0)
        raw.copy_expert(f"COPY liaison_household (id, {', '.join(cols)}) FROM STDIN", households)
        if all_tables:
            raw.copy_expert(
                "COPY liaison_cadre (id, name, rank, unit, post, phone, duties, is_leading, "
                "area_id, area_path, county_id, township_id) FROM STDIN",
                cadres,
            )
            raw.copy_expert(
                "COPY liaison_pairing (id, cadre_id, household_id, kind, start_date, "
                "end_date, area_id, area_path, county_id, township_id) FROM STDIN",
                pairings,
            )
    connection.commit() if not connection.get_autocommit() else None
    return {"rows": n, "seconds": time.perf_counter() - t0, "all_tables": all_tables}


def child(mode: str, rows: int, extra: str = "") -> dict:
    print(f"{time.strftime('%H:%M:%S')} {mode} {rows} {extra}", file=sys.stderr, flush=True)
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--rows",
            str(rows),
            *(["--extra", extra] if extra else []),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {result}", file=sys.stderr, flush=True)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--plain-rows", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--extra", default="")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL (DATABASE_URL=postgres://.../liaison_import_bench).")
    if args.child:
        result = {
            "ours": lambda: run_ours(args.rows, args.extra == "reimport"),
            "plain": lambda: run_plain(args.rows),
            "copy": lambda: run_copy(args.rows, args.extra == "all"),
        }[args.child]()
        print(json.dumps(result))
        return
    ensure_tree()
    bench_user()
    roster_file(args.rows)
    results = {"ours": [], "reimport": [], "plain": [], "copy_households": [], "copy_all": []}
    for _ in range(args.repeat):
        empty_people()
        results["ours"].append(child("ours", args.rows))
        results["reimport"].append(child("ours", args.rows, "reimport"))
        empty_people()
        results["plain"].append(child("plain", args.plain_rows))
        empty_people()
        results["copy_households"].append(child("copy", args.rows))
        empty_people()
        results["copy_all"].append(child("copy", args.rows, "all"))
    empty_people()
    print(json.dumps(summary(results, args), indent=1, ensure_ascii=False))


def summary(results, args) -> dict:
    med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
    ours_total = med(results["ours"], "total")
    plain_rate = med(results["plain"], "rows_per_s")
    plain_100k = args.rows / plain_rate
    return {
        "rows": args.rows,
        "repeat": args.repeat,
        "ours": {
            k: round(med(results["ours"], k), 2)
            for k in ("preview", "check", "write", "total", "cpu", "rss_mb", "load")
        },
        "reimport_unchanged": {
            k: round(med(results["reimport"], k), 2)
            for k in ("preview", "check", "write", "total", "cpu", "rss_mb", "load")
        },
        "plain_resource": {
            "rows_timed": args.plain_rows,
            "rows_per_s": round(plain_rate),
            "extrapolated_s": round(plain_100k, 1),
        },
        "copy_households_s": round(med(results["copy_households"], "seconds"), 2),
        "copy_all_tables_s": round(med(results["copy_all"], "seconds"), 2),
        "ratio_plain_over_ours": round(plain_100k / ours_total, 1),
        "ratio_ours_write_over_copy_all": round(
            med(results["ours"], "write") / med(results["copy_all"], "seconds"), 1
        ),
        "ratio_ours_total_over_copy_all": round(
            ours_total / med(results["copy_all"], "seconds"), 1
        ),
        "raw": results,
    }


if __name__ == "__main__":
    main()
