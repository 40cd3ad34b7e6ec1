#!/usr/bin/env python3
"""The site's benchmark helpers, run by bench/web.sh (Python's standard library only).

    web_bench.py seed CAMPAIGNS REQUESTS   seeds them and confirmed donations through
                                           the APIs; prints the measured campaign's id
    web_bench.py size SITE PATH [COOKIE]   the page's transfer size: HTML plus every
                                           file of the site it references
    web_bench.py delay SITE CAMPAIGN N     N donations through the site's form: from
                                           confirmation to "Confirmed" in the browser

Tokens come from `hearth token` (HEARTH, the binary; JWT_SECRET of the platform);
the services' addresses from BENCH_<SERVICE>_URL in the environment.
"""

import gzip
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

HEARTH = os.environ.get("HEARTH", "target/release/hearth")


def token(sub):
    return subprocess.run(
        [HEARTH, "token", "--sub", str(sub), "--ttl", "2h"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


class Client:
    """One keep-alive connection to one host, as a browser keeps one."""

    def __init__(self, base, headers=None):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.headers = headers or {}
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers={**self.headers, **(headers or {})})
                response = self.conn.getresponse()
                data = response.read()
                return response, data
            except (http.client.HTTPException, ConnectionError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def json(self, method, path, payload=None, expect=(200, 201)):
        body = json.dumps(payload) if payload is not None else None
        headers = {"Content-Type": "application/json"} if body else {}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        response, data = self.request(method, path, body, headers)
        if response.status not in expect:
            sys.exit(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data) if data else None


def api(service, tok):
    return Client(os.environ[f"BENCH_{service.upper()}_URL"], {"Authorization": f"Bearer {tok}"})


CATEGORIES = ["food", "housing", "education", "health", "animals", "environment", "community", "emergency"]
WORDS = ("warm meals winter coats school books clean water shelter repairs garden tools "
         "library bus fares heating bills medicine playground bicycles sewing machines").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def person(name):
    """A new person with a profile of that name: (id, token)."""
    sub = uuid.uuid4()
    tok = token(sub)
    api("profile", tok).json("PUT", "/profiles/me", {"display_name": name}, expect=(200, 201, 204))
    return sub, tok


def wait_settled(donation_api, ids, timeout=120):
    deadline = time.time() + timeout
    for donation_id in ids:
        while True:
            d = donation_api.json("GET", f"/donations/{donation_id}")
            if d["status"] != "pending":
                break
            if time.time() > deadline:
                sys.exit(f"donation {donation_id} still pending after {timeout} s")
            time.sleep(0.05)
        if d["status"] != "confirmed":
            sys.exit(f"donation {donation_id}: {d['status']} {d.get('status_reason')}")


def seed(campaigns_n, requests_n):
    """Prints the id of the campaign whose page is measured."""
    rng = random.Random(17)
    now = datetime.now(timezone.utc)
    owners = [person(f"Organiser {i}") for i in range(10)]
    campaign_ids, currencies = [], []
    for n in range(campaigns_n):
        _, tok = owners[n % len(owners)]
        body = {
            "title": f"{sentence(rng, 4)[:-1]} ({n})",
            "description": " ".join(sentence(rng, 12) for _ in range(6)),
            "category": CATEGORIES[n % len(CATEGORIES)],
            "goal_minor": rng.randrange(50_000, 5_000_000),
            # One in five in euros; the measured one (the first) in dollars.
            "currency": "EUR" if n % 5 == 4 else "USD",
            "ends_at": (now + timedelta(days=rng.randrange(3, 90))).isoformat(),
        }
        # Half of them with a picture: the card shows it (from another site);
        # the measured campaign (the first) has none, so the page shows the placeholder.
        # (BENCH_IMAGES=0: none at all, for runs with no network beyond this machine.)
        if n % 2 and os.environ.get("BENCH_IMAGES", "1") != "0":
            body["image_url"] = f"https://images.example.org/campaigns/{n}.jpg"
        campaign_ids.append(api("campaign", tok).json("POST", "/campaigns", body)["id"])
        currencies.append(body["currency"])
    for n in range(requests_n):
        _, tok = owners[n % len(owners)]
        api("request", tok).json("POST", "/requests", {
            "title": f"{sentence(rng, 3)[:-1]} needed ({n})",
            "description": sentence(rng, 20),
            "category": CATEGORIES[n % len(CATEGORIES)],
            "quantity_needed": rng.randrange(1, 40),
            "location": "Riverside",
        })
    # The measured campaign lists its ten most recent confirmed gifts: three
    # named donors (one profile call each on the page) and anonymous ones.
    measured = campaign_ids[0]
    donors = [person(name) for name in ("Ada Donor", "Grace Donor", "Linus Donor")]
    given = []
    for n in range(12):
        _, tok = donors[n % 3]
        client = api("donation", tok)
        d = client.json("POST", "/donations", {
            "kind": "money", "campaign_id": measured, "amount_minor": 500 + 100 * n,
            "currency": "USD", "anonymous": n % 4 == 3, "message": f"Good luck! ({n})",
        })
        given.append((client, d["id"]))
    # Other campaigns get some too, so the cards show progress and donors.
    for n in range(100):
        _, tok = donors[n % 3]
        k = 1 + n % (len(campaign_ids) - 1)
        campaign, currency = campaign_ids[k], currencies[k]
        client = api("donation", tok)
        d = client.json("POST", "/donations", {
            "kind": "money", "campaign_id": campaign, "amount_minor": 2_500, "currency": currency,
        })
        given.append((client, d["id"]))
    for client, donation_id in given:
        wait_settled(client, [donation_id])
    print(measured)


def assets_of(html):
    """Everything the page makes the browser fetch from this site."""
    urls = re.findall(r'<(?:link|script|img)\b[^>]*?\s(?:href|src)="([^"]+)"', html)
    return [u for u in urls if u.startswith("/") and not u.startswith("//")], \
        [u for u in urls if u.startswith("http")]


def size(site, path, cookie):
    headers = {"Accept-Encoding": "gzip, deflate, br"}
    if cookie:
        headers["Cookie"] = cookie
    client = Client(site, headers)
    response, body = client.request("GET", path)
    if response.status != 200:
        sys.exit(f"GET {path}: {response.status}")
    html = body.decode() if response.getheader("Content-Encoding") is None else gzip.decompress(body).decode()
    own, others = assets_of(html)
    rows = [(path, response, body, html.encode())]
    for asset in own:
        r, b = client.request("GET", asset)
        if r.status != 200:
            sys.exit(f"GET {asset}: {r.status}")
        plain = b if r.getheader("Content-Encoding") is None else gzip.decompress(b)
        rows.append((asset, r, b, plain))
        if asset.endswith(".css"):
            # Anything the stylesheet itself loads (fonts, images).
            for extra in re.findall(r'url\(\s*["\']?(/[^)"\']+)', plain.decode()):
                r2, b2 = client.request("GET", extra)
                rows.append((extra, r2, b2, b2))
    total_plain = total_sent = total_headers = total_gzip = 0
    print("| file | encoding sent | body as sent | uncompressed | gzip -6 would be |")
    print("|---|---|---|---|---|")
    for name, r, sent, plain in rows:
        head = len(f"HTTP/1.1 {r.status} {r.reason}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in r.getheaders()) + 2
        gz = len(gzip.compress(plain, 6))
        total_plain += len(plain)
        total_sent += len(sent)
        total_headers += head
        total_gzip += gz
        print(f"| `{name}` | {r.getheader('Content-Encoding') or 'none'} | {len(sent):,} B | {len(plain):,} B | {gz:,} B |")
    print(f"| **all {len(rows)}** | | **{total_sent:,} B** (+ {total_headers:,} B of headers) "
          f"| **{total_plain:,} B** | {total_gzip:,} B |")
    if others:
        print(f"(and {len(others)} image(s) from other sites, not counted: {', '.join(others)})")
    kb = (total_sent + total_headers) / 1000
    print(f"transfer: {kb:.1f} kB as sent, headers included; target < 100 kB: {'met' if kb < 100 else 'NOT met'}")


class Site(Client):
    """A signed-in browser: its session cookie, and the CSRF cookie the site sets."""

    def __init__(self, base, session_token):
        super().__init__(base)
        self.cookies = {"hearth_session": session_token}

    def get(self, path, extra=None):
        response, body = self.request("GET", path, headers={"Cookie": self.cookie(), **(extra or {})})
        self.keep(response)
        return response, body.decode()

    def post_form(self, path, fields):
        response, body = self.request("POST", path, urllib.parse.urlencode(fields), {
            "Cookie": self.cookie(), "Content-Type": "application/x-www-form-urlencoded",
        })
        self.keep(response)
        return response, body.decode()

    def cookie(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def keep(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


def hidden(html, name):
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    if not m:
        sys.exit(f"no hidden field {name} in the donate form")
    return m.group(1)


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


CONFIRMED = "<strong>Confirmed</strong>"
PENDING = "<strong>Pending</strong>"


def live_events(site, path, cookie):
    """The page's Server-Sent Events stream, as the browser's EventSource
    opens it (a connection of its own): yields (event, data, received_at)."""
    url = urllib.parse.urlsplit(site)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie, "Accept": "text/event-stream"})
    response = conn.getresponse()
    if response.status != 200:
        sys.exit(f"GET {path}: {response.status}")
    name, data = None, []
    try:
        while True:
            line = response.readline()
            if not line:
                return
            line = line.decode().rstrip("\r\n")
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif line == "":
                if name is not None:
                    yield name, "\n".join(data), time.time()
                name, data = None, []
    finally:
        conn.close()


def delay(site, campaign, n):
    donor = uuid.uuid4()
    tok = token(donor)
    api("profile", tok).json("PUT", "/profiles/me", {"display_name": "Benchmark donor"}, expect=(200, 201, 204))
    browser = Site(site, tok)
    donation_api = api("donation", tok)
    rows = []
    rng = random.Random(1)
    for i in range(n):
        # As a person does: open the campaign page, fill in the form, give.
        _, page = browser.get(f"/campaigns/{campaign}")
        fields = {"csrf": hidden(page, "csrf"), "key": hidden(page, "key"),
                  "currency": hidden(page, "currency"), "amount": "5.00", "message": ""}
        sent = time.time()
        response, _ = browser.post_form(f"/campaigns/{campaign}/donations", fields)
        location = response.getheader("Location") or ""
        if response.status not in (302, 303) or not location.startswith("/donations/"):
            sys.exit(f"the donate form answered {response.status} {location!r}")
        donation_id = location.rsplit("/", 1)[1]
        # The redirect: the donation's page, pending or already confirmed.
        _, html = browser.get(location)
        page_at = time.time()
        shown_at = page_at if CONFIRMED in html else None
        if shown_at is None and PENDING not in html:
            sys.exit(f"donation {donation_id}: its page shows neither pending nor confirmed")
        if shown_at is None:
            # What htmx's sse extension does: open the stream the page names
            # and swap the block in when its event arrives.
            m = re.search(r'sse-connect="([^"]+)"', html)
            if not m:
                sys.exit(f"donation {donation_id}: a pending page without a live stream")
            for name, data, at in live_events(site, m.group(1).replace("&amp;", "&"), browser.cookie()):
                if name == f"donation-{donation_id}":
                    if CONFIRMED not in data:
                        sys.exit(f"donation {donation_id}: the stream told {data[:200]}")
                    shown_at = at
                    break
            if shown_at is None:
                sys.exit(f"donation {donation_id}: the stream ended before its outcome")
        d = donation_api.json("GET", f"/donations/{donation_id}")
        confirmed_at = parse_time(d["updated_at"])
        rows.append({
            "delay": shown_at - confirmed_at,
            "saga": confirmed_at - parse_time(d["created_at"]),
            "post_to_page": page_at - sent,
            "pending_on_page": shown_at != page_at,
        })
        # Donors do not all arrive in step with anything on the server.
        time.sleep(rng.uniform(0.2, 0.8))
    report(rows)


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def ms(seconds):
    return f"{1000 * seconds:.0f} ms" if seconds >= 0.01 else f"{1000 * seconds:.1f} ms"


def report(rows):
    delays = [r["delay"] for r in rows]
    polled = [r for r in rows if r["pending_on_page"]]
    print(f"{len(rows)} donations through the site's form, then its page and its live stream as the browser opens it")
    print(f"confirmation (donation's updated_at) to \"Confirmed\" received: "
          f"p50 {ms(pct(delays, 0.5))}, p99 {ms(pct(delays, 0.99))}, max {ms(max(delays))}; "
          f"target p99 < 1 s: {'met' if pct(delays, 0.99) < 1 else 'NOT met'}")
    print(f"  already confirmed when the donation's page arrived: {len(rows) - len(polled)} of {len(rows)}"
          + (f" (delay p50 {ms(pct([r['delay'] for r in rows if not r['pending_on_page']], 0.5))})"
             if len(polled) < len(rows) else ""))
    if polled:
        d = [r["delay"] for r in polled]
        print(f"  pending on the page, confirmed by the stream: {len(polled)} of {len(rows)}: delay p50 {ms(pct(d, 0.5))}, "
              f"max {ms(max(d))}")
    print(f"  saga (created_at to updated_at): p50 {ms(pct([r['saga'] for r in rows], 0.5))}, "
          f"p99 {ms(pct([r['saga'] for r in rows], 0.99))}; "
          f"form POST sent to donation page received: p50 {ms(pct([r['post_to_page'] for r in rows], 0.5))}")


def main():
    command = sys.argv[1]
    if command == "seed":
        seed(int(sys.argv[2]), int(sys.argv[3]))
    elif command == "size":
        size(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "")
    elif command == "delay":
        delay(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
