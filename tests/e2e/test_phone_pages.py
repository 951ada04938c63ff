"""Phone pages (issue 23, 3): on the demo, every demo role walks its working day — home, every
page of its menu, the first record each list links to, and the create forms those pages
offer — at phone size (390×844) and at the desk (1280×900).

At phone size every list reads as cards (each row a block, each cell labelled with its
column), nothing is wider than the screen, and every tap target is at least 44 × 44 px
(a checkbox counts with its label; links inside running text are part of the text, as
WCAG 2.5.5 allows). At the desk the same lists are tables. Django's own admin site is not
ours to restyle and is left out.
"""

from urllib.parse import urlparse

from django.core.management import call_command

from portal.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from tests.e2e.conftest import log_in

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}

MEASURE = r"""
() => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && !el.closest("[hidden]");
  };
  const small = [];
  const targets = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  for (const el of document.querySelectorAll(targets)) {
    if (!visible(el)) continue;
    if (el.matches("a") && el.closest("p, .hint, .muted, .crumbs, .details")) continue;
    let box = el.getBoundingClientRect();
    if (el.matches("input[type=checkbox], input[type=radio]") && el.labels.length) {
      box = el.labels[0].getBoundingClientRect();
    }
    if (box.height < 43.5 || box.width < 43.5) {
      const text = (el.innerText || el.name || el.value || "").trim().slice(0, 24);
      small.push(`${el.tagName.toLowerCase()} «${text}» ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  const tables = [];
  for (const table of document.querySelectorAll("table.grid:not(.keep-table)")) {
    if (!visible(table)) continue;
    const row = table.tBodies.length && table.tBodies[0].rows[0];
    if (!row) continue;
    const cell = Array.from(row.cells).find((c) => c.colSpan === 1);
    tables.push({
      row: getComputedStyle(row).display,
      labelled: !cell || cell.hasAttribute("data-label"),
      name: table.dataset.testid || table.className,
    });
  }
  const hrefs = (selector, count) => Array.from(document.querySelectorAll(selector))
    .slice(0, count).map((a) => a.getAttribute("href"));
  return {
    width: document.documentElement.scrollWidth, small, tables,
    records: hrefs("table.grid tbody a[href]", 1), forms: hrefs("main a[href$='/new/']", 20),
  };
}
"""

ROLES = [username for username, *_ in DEMO_USERS]


def _ours(href: str | None) -> bool:
    if not href or not href.startswith("/") or href.startswith("//"):
        return False
    path = urlparse(href).path
    return not path.startswith(("/admin/", "/api/", "/static/", "/logout")) and not (
        path.endswith((".xlsx", ".docx", ".pdf", "/export/", "/print/"))
    )


def _quiet(page):
    """Count the page's requests in flight, so that ``_open`` can wait for them."""
    page.pending = set()
    page.on("request", lambda request: page.pending.add(request))
    page.on("requestfinished", lambda request: page.pending.discard(request))
    page.on("requestfailed", lambda request: page.pending.discard(request))
    return page


def _open(page, url: str):
    # Wait for the page's own requests (htmx, the offline outbox) before the next one: the
    # SQLite live server shares one connection between its threads.
    page.goto(url)
    for _ in range(200):
        if not page.pending:
            return
        page.wait_for_timeout(25)


def _log_in(page, live_server, username):
    log_in(page, live_server, username, DEMO_PASSWORD)
    page.wait_for_load_state("networkidle")


def _measure_on_the_phone(page, base: str, username: str) -> tuple[list[str], list[str], int]:
    """Home, the menu, the first record each of those lists links to, and the create forms
    ('…/new/') they offer: each measured at phone size. Returns (pages, faults, lists)."""
    pages, seen, wrong, tables = [], set(), [], 0

    def add(url):
        if _ours(url) and url not in seen:
            seen.add(url)
            pages.append(url)

    add("/")
    _open(page, f"{base}/")
    for url in page.eval_on_selector_all(".mainnav a", "a => a.map(e => e.getAttribute('href'))"):
        add(url)
    menu = len(pages)
    for n, url in enumerate(pages):
        _open(page, f"{base}{url}")
        found = page.evaluate(MEASURE)
        if found["width"] > PHONE["width"]:
            wrong.append(f"{username} {url}: {found['width']} px wide")
        wrong += [f"{username} {url}: tap target {target}" for target in found["small"]]
        for table in found["tables"]:
            tables += 1
            if table["row"] != "block" or not table["labelled"]:
                wrong.append(f"{username} {url}: the list {table['name']} is a table, not cards")
        if n < menu:
            for link in (*found["records"], *found["forms"]):
                add(link)
    return pages, wrong, tables


def _walk(browser, live_server, username) -> list[str]:
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", service_workers="block"
    )
    page = _quiet(phone.new_page())
    _log_in(page, live_server, username)
    pages, wrong, tables = _measure_on_the_phone(page, live_server.url, username)
    assert len(pages) >= 5, (username, pages)
    assert tables, f"{username}: no list was walked"
    phone.close()

    # At the desk the same lists are tables again.
    desk = browser.new_context(viewport=DESK, locale="zh-CN", service_workers="block")
    page = _quiet(desk.new_page())
    _log_in(page, live_server, username)
    for url in pages:
        _open(page, f"{live_server.url}{url}")
        found = page.evaluate(MEASURE)
        if found["width"] > DESK["width"]:
            wrong.append(f"{username} {url}: {found['width']} px wide at the desk")
        if any(table["row"] != "table-row" for table in found["tables"]):
            wrong.append(f"{username} {url}: a list is not a table at the desk")
    desk.close()
    return wrong


def test_every_page_of_the_working_day_reads_on_a_phone_for_every_role(browser, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    wrong = []
    for username in ROLES:
        wrong += _walk(browser, live_server, username)
    assert not wrong, "\n".join(wrong)
