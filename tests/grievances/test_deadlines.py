"""Deadlines on China's official calendar: holidays skipped, make-up workdays (调休) counted,
from the administrator's table (seeded from chinesecalendar); a year the table lacks is
named as a warning on the ledger and in /health/, never silently Monday–Friday."""

from datetime import date

import pytest

from grievances import services
from grievances.deadlines import add_working_days, deadline_for, is_workday, unknown_years
from grievances.models import DeadlineRule

pytestmark = pytest.mark.django_db


def test_national_day_week_2026_is_not_working_days():
    assert not any(is_workday(date(2026, 10, d)) for d in range(1, 8))


def test_a_make_up_sunday_counts_as_a_working_day():
    assert date(2026, 9, 20).weekday() == 6 and is_workday(date(2026, 9, 20))
    assert date(2025, 9, 28).weekday() == 6 and is_workday(date(2025, 9, 28))


def test_working_days_skip_the_national_day_holiday_2026():
    # Fri 25 Sep + 5 working days: 28, 29, 30 Sep, then 1–7 Oct off, 8, 9 Oct.
    assert add_working_days(date(2026, 9, 25), 5) == date(2026, 10, 9)


def test_working_days_count_the_make_up_saturday_after_national_day_2026():
    # 8, 9 Oct (Thu, Fri), Sat 10 Oct is a make-up workday, then Mon 12 Oct.
    assert add_working_days(date(2026, 10, 7), 3) == date(2026, 10, 10)
    assert add_working_days(date(2026, 10, 7), 4) == date(2026, 10, 12)


def test_working_days_over_spring_festival_2025():
    # Spring Festival 2025: 28 Jan – 4 Feb off; Sun 26 Jan and Sat 8 Feb worked.
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)


def test_a_year_the_calendar_does_not_know_is_a_warning_until_an_administrator_enters_it(
    client, superuser, clerk_a
):
    # chinesecalendar 1.11 stops at 2026: 1 Oct 2027 is a Friday and counts as a workday.
    assert is_workday(date(2027, 10, 1)) and not is_workday(date(2027, 10, 2))
    assert unknown_years(date(2026, 12, 7)) == [2027]
    assert unknown_years(date(2026, 6, 1)) == []
    assert unknown_years(date(2027, 1, 4)) == [2027]
    with pytest.raises(services.MatterError):  # only an administrator keeps the calendar
        services.save_calendar_day(actor=clerk_a, day=date(2027, 10, 1), workday=False)
    for day in range(1, 8):
        if date(2027, 10, day).weekday() < 5:
            services.save_calendar_day(
                actor=superuser, day=date(2027, 10, day), workday=False, name="国庆节"
            )
    services.save_calendar_day(actor=superuser, day=date(2027, 9, 26), workday=True)
    services.confirm_calendar_year(actor=superuser, year=2027)
    assert unknown_years(date(2027, 1, 4)) == []
    assert not is_workday(date(2027, 10, 1)) and is_workday(date(2027, 9, 26))
    # Thu 30 Sep + 2 working days: 1–7 Oct off, Fri 8 Oct, then (a plain weekend) Mon 11.
    assert add_working_days(date(2027, 9, 30), 2) == date(2027, 10, 11)


def test_the_ledger_and_health_warn_of_a_missing_year(client, clerk_a):
    import time_machine

    with time_machine.travel(date(2026, 12, 7)):
        client.force_login(clerk_a)
        page = client.get("/ledger/").content.decode()
        assert 'data-testid="calendar-missing"' in page and "2027" in page
        assert client.get("/health/").json()["calendar"] == "missing 2027"
    assert add_working_days(date(2027, 10, 1), 1) == date(2027, 10, 4)


@pytest.mark.django_db
def test_default_rules_are_15_30_60_60_calendar_days():
    start = date(2026, 3, 1)
    assert [
        deadline_for(level, "difficulty", start)
        for level in ("village", "township", "county", "above")
    ] == [date(2026, 3, 16), date(2026, 3, 31), date(2026, 4, 30), date(2026, 4, 30)]


@pytest.mark.django_db
def test_a_kind_specific_working_day_rule_overrides_the_level_rule():
    DeadlineRule.objects.create(level="village", kind="cadre_style", days=5, working_days=True)
    start = date(2026, 9, 25)
    assert deadline_for("village", "cadre_style", start) == date(2026, 10, 9)
    assert deadline_for("village", "difficulty", start) == date(2026, 10, 10)
