"""``cio-analytics demo``: a realistic workload, delivered and accounted for.

Without a write key the demo starts the embedded local Customer.io-compatible
server, points the module-level API at it and plays a few hundred simulated
shoppers of an outdoor-gear store through it: anonymous visits merged by
``alias``, ``identify`` with traits, page and screen views, e-commerce events,
push devices, companies as objects with relationships, delivery metrics and a
few deletions and suppressions. The server is told to fail the first request
(503, then 429 with ``Retry-After``) so the retries show in the report. The
exit status is 0 only when every message arrived exactly once and nothing
was rejected.

With a write key (``CUSTOMERIO_API_KEY`` or ``--write-key``) it says so, then
sends three clearly labelled messages to that host instead; ``--dry-run``
builds them without sending anything.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, TextIO

import cio_analytics
from cio_analytics._settings import Settings
from cio_analytics.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    error,
    host_source,
    key_source,
    resolve_settings,
)
from cio_analytics.testing import LocalServer

__all__ = ["DEMO_EVENT", "DEMO_USER_PREFIX", "run_demo"]

#: The userId prefix of everything the demo sends to a real workspace.
DEMO_USER_PREFIX: Final = "cio-analytics-demo-"
#: The event name the demo tracks in a real workspace.
DEMO_EVENT: Final = "cio-analytics demo"
#: Seconds the demo waits for delivery at most.
FLUSH_TIMEOUT: Final = 60.0
#: Seconds a demo call may wait for room in a full queue (``max_queue_wait``).
QUEUE_WAIT: Final = 10.0
#: How many received messages the report shows.
SAMPLE_SIZE: Final = 5
#: The module settings the demo changes (restored afterwards).
_TOUCHED: Final = ("write_key", "host", "on_error", "send", "max_queue_wait")

_SITE: Final = "https://acme-outfitters.example"
_FIRST_NAMES: Final = (
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret",
    "Dennis", "Radia", "Tim", "Hedy", "John", "Katherine", "Linus", "Shafi", "Guido",
)  # fmt: skip
_LAST_NAMES: Final = (
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
    "Hamilton", "Ritchie", "Perlman", "Berners-Lee", "Lamarr", "Backus", "Johnson",
)  # fmt: skip
_PLANS: Final = ("free", "free", "free", "plus", "plus", "pro")
_PAGES: Final = (
    ("Home", "/"),
    ("Pricing", "/pricing"),
    ("Tents", "/c/tents"),
    ("Backpacks", "/c/backpacks"),
    ("Journal", "/journal"),
    ("Help", "/help"),
)
_REFERRERS: Final = (
    "https://www.google.com/",
    "https://duckduckgo.com/",
    "https://news.example/",
    "",
)
_CATALOGUE: Final = (
    ("p-100", "TENT-2P", "Ridgeline 2P Tent", "Tents", "Acme", Decimal("289.00")),
    ("p-101", "TENT-4P", "Basecamp 4P Tent", "Tents", "Acme", Decimal("459.00")),
    ("p-200", "PACK-38", "Summit 38L Pack", "Backpacks", "Northpeak", Decimal("149.95")),
    ("p-201", "PACK-65", "Traverse 65L Pack", "Backpacks", "Northpeak", Decimal("239.00")),
    ("p-300", "BAG-20F", "Ember 20F Sleeping Bag", "Sleep", "Acme", Decimal("199.00")),
    ("p-301", "PAD-R4", "Cloud R4 Sleeping Pad", "Sleep", "Drift", Decimal("119.50")),
    ("p-400", "STOVE-1", "Flash Stove", "Kitchen", "Drift", Decimal("64.99")),
    ("p-401", "MUG-TI", "Titanium Mug", "Kitchen", "Drift", Decimal("29.00")),
)
_COMPANIES: Final = (
    ("Trailhead Guides", "tourism"),
    ("Alpine Rescue Co-op", "non-profit"),
    ("Riverbend Outfitters", "retail"),
    ("Granite Schools", "education"),
    ("Northwind Expeditions", "tourism"),
    ("Cedar Camp Supply", "retail"),
)


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo: on the embedded server without a key, else a labelled set for real.

    Args:
        args: The parsed ``demo`` options.

    Returns:
        The exit status: 0 when everything was delivered exactly once.
    """
    out: TextIO = sys.stdout
    if args.users < 1 or args.users > 100_000:
        error("demo", f"--users must be between 1 and 100000, got {args.users}")
        return EXIT_USAGE
    saved = {name: getattr(cio_analytics, name, None) for name in _TOUCHED}
    try:
        if args.dry_run or key_source(args) is not None:
            return _run_labelled(args, out)
        return _run_local(args, out)
    except UsageError as exc:
        error("demo", str(exc))
        return EXIT_USAGE
    finally:
        cio_analytics.reset()
        cio_analytics.configure(**saved)


# -- the embedded server ------------------------------------------------------------


class _Timer:
    """Calls a function and records the time spent inside (the caller's cost)."""

    def __init__(self) -> None:
        self.durations: list[float] = []

    @property
    def calls(self) -> int:
        """How many calls were made."""
        return len(self.durations)

    def __call__(self, function: Callable[..., str], *args: Any, **kwargs: Any) -> str:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            self.durations.append(time.perf_counter() - start)


@dataclasses.dataclass
class _LocalRun:
    """One workload on the embedded server: the client's figures and what the server received."""

    timer: _Timer
    finished: bool
    elapsed: float
    stats: cio_analytics.ClientStats
    records: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    rejected: int = 0
    duplicates: int = 0

    def take_server_counts(self, server: LocalServer) -> None:
        """Copy what the (stopped) server received into this run."""
        self.records = server.messages
        server_stats = server.stats()
        self.rejected = server_stats["rejections"]
        self.duplicates = server_stats["duplicate_count"]

    @property
    def complete(self) -> bool:
        """Whether every message was delivered and received exactly once, none rejected."""
        stats = self.stats
        return (
            self.finished
            and stats.failed == 0
            and stats.dropped == 0
            and stats.delivered == stats.enqueued == self.timer.calls
            and len(self.records) == stats.delivered
            and self.rejected == 0
            and self.duplicates == 0
        )


def _run_local(args: argparse.Namespace, out: TextIO) -> int:
    """Run the workload against the embedded server and print the report."""
    server = LocalServer(keep_messages=True)
    try:
        server.start()
    except OSError as exc:
        error("demo", f"cannot start the local server on 127.0.0.1: {exc}")
        return EXIT_FAILURE
    failures: list[str] = []

    def on_error(exc: BaseException, messages: list[dict[str, Any]]) -> None:
        failures.append(f"{len(messages)} message(s): {exc}")

    try:
        run = _play_local(args, server, on_error, out)
    finally:
        server.stop()
    run.take_server_counts(server)
    _print_local_report(run, failures, out)
    return _local_verdict(run, out)


def _play_local(
    args: argparse.Namespace,
    server: LocalServer,
    on_error: Callable[[BaseException, list[dict[str, Any]]], None],
    out: TextIO,
) -> _LocalRun:
    """Point the module-level API at the server, play the workload, flush and shut down."""
    cio_analytics.reset()
    # The workload calls faster than any network delivers, as a backfill does:
    # a call that finds the queue full waits for room instead of dropping.
    cio_analytics.configure(
        write_key=server.write_key,
        host=server.url,
        on_error=on_error,
        send=True,
        max_queue_wait=QUEUE_WAIT,
    )
    print(
        f"cio-analytics demo: {args.users} simulated users through the module-level API\n"
        f"  to the embedded local server at {server.url}\n"
        "  (no CUSTOMERIO_API_KEY set, so nothing leaves this machine; with one the\n"
        "  demo sends a small labelled set to Customer.io instead)",
        file=out,
    )
    # The first batch request meets a 503, then a 429: both are retried. Their
    # Retry-After: 0 keeps the waits (and so the throughput figure) honest.
    server.fail_next(1, 503, headers={"Retry-After": "0"})
    server.rate_limit_next(1, retry_after="0")
    timer = _Timer()
    started = time.perf_counter()
    _workload(timer, random.Random(args.seed), args.users)
    finished = cio_analytics.flush(timeout=FLUSH_TIMEOUT)
    elapsed = time.perf_counter() - started
    stats = cio_analytics.stats()
    cio_analytics.shutdown(timeout=5.0)
    return _LocalRun(timer, finished, elapsed, stats)


def _print_local_report(run: _LocalRun, failures: list[str], out: TextIO) -> None:
    """Print the client's and the server's figures and a sample of the messages received."""
    stats, timer, records, elapsed = run.stats, run.timer, run.records, run.elapsed
    by_type = Counter(str(m.get("type")) for m in records)
    rows: list[tuple[str, str, str]] = [
        ("calls made", f"{timer.calls:,}", _per_call(timer)),
        ("messages sent", f"{stats.enqueued:,}", ""),
        ("delivered", f"{stats.delivered:,}", ""),
        ("failed", f"{stats.failed:,}", _reasons(stats.failed_by_reason)),
        ("dropped", f"{stats.dropped:,}", _dropped_why(stats)),
        ("batches", f"{stats.batches:,}", f"{stats.requests:,} HTTP requests"),
        ("retries", f"{stats.retries:,}", "the server answered 503, then 429, on purpose"),
        ("elapsed", f"{elapsed:.2f} s", "first call to flush() returning, retry waits included"),
        ("throughput", f"{stats.delivered / elapsed:,.0f}", "messages/s"),
    ]
    print(file=out)
    print("Client", file=out)
    _print_rows(rows, out)
    print(file=out)
    print("Server", file=out)
    types = ", ".join(f"{kind} {count:,}" for kind, count in by_type.most_common())
    _print_rows(
        [
            ("accepted", f"{len(records):,}", types),
            ("rejected", f"{run.rejected:,}", ""),
            ("duplicates", f"{run.duplicates:,}", "messageIds seen twice"),
        ],
        out,
    )
    print(file=out)
    print("Sample of what the server received", file=out)
    for message in _sample(records):
        print("  " + sample_line(message), file=out)
    for failure in failures[:5]:
        print(f"not delivered: {failure}", file=out)
    print(file=out)


def _local_verdict(run: _LocalRun, out: TextIO) -> int:
    """Print whether every message arrived exactly once; returns the exit status."""
    stats = run.stats
    if run.complete:
        print(f"OK: all {stats.delivered:,} messages were delivered exactly once.", file=out)
        return EXIT_OK
    print(
        "FAILED: not every message was delivered exactly once "
        f"(sent {stats.enqueued:,}, delivered {stats.delivered:,}, "
        f"received {len(run.records):,}, rejected {run.rejected:,}, "
        f"duplicates {run.duplicates:,}).",
        file=out,
    )
    if stats.dropped:
        print(
            f"  {stats.dropped:,} call(s) found the queue full for longer than "
            f"max_queue_wait ({QUEUE_WAIT:g} s) and were dropped: delivery could not keep "
            "up with the calls. On a real network, raise max_in_flight or max_queue_size, "
            "or give max_queue_wait more time.",
            file=out,
        )
    return EXIT_FAILURE


def _dropped_why(stats: cio_analytics.ClientStats) -> str:
    """What the dropped row says: nothing, or which bound was full."""
    if not stats.dropped:
        return f"calls wait up to {QUEUE_WAIT:g} s for room in a full queue"
    return f"queue full for longer than max_queue_wait ({QUEUE_WAIT:g} s)"


def _per_call(timer: _Timer) -> str:
    if not timer.calls:
        return ""
    median = statistics.median(timer.durations) * 1e6
    mean = statistics.fmean(timer.durations) * 1e6
    return f"caller's thread: median {median:.1f} us per call, mean {mean:.1f} us"


def _reasons(by_reason: Mapping[str, int]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in sorted(by_reason.items()))


def _print_rows(rows: list[tuple[str, str, str]], out: TextIO) -> None:
    for label, value, note in rows:
        line = f"  {label:<15}{value:>12}"
        print(f"{line}   {note}" if note else line, file=out)


def _workload(call: _Timer, rng: random.Random, users: int) -> None:
    """Play ``users`` simulated shoppers through the module-level API."""
    analytics = cio_analytics
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    companies = _create_companies(call, rng, users)
    suppressed = max(1, users // 100)
    for index in range(users):
        user_id = f"user-{index + 1:04d}"
        _sign_up(call, rng, user_id, _traits(rng, index, now))
        for name, path in rng.sample(_PAGES, rng.randint(1, 3)):
            call(analytics.page, user_id, name=name, properties=_page_properties(path, name, rng))
        if rng.random() < 0.6:
            _shop(call, rng, user_id, index)
        if rng.random() < 0.35:
            _mobile(call, rng, user_id)
        if rng.random() < 0.4:
            _join_company(call, rng, user_id, companies)
        if rng.random() < 0.15:
            call(
                analytics.report_delivery_event,
                f"dlv-{rng.getrandbits(40):010x}",
                rng.choice(["delivered", "opened", "clicked"]),
                user_id=user_id,
            )
        if index >= users - suppressed:
            call(analytics.suppress_user, user_id)


def _create_companies(call: _Timer, rng: random.Random, users: int) -> list[tuple[str, str, str]]:
    """Create the companies (objects of type 1) the shoppers join; returns (id, name, industry)."""
    companies = [
        (f"company-{n + 1:03d}", *_COMPANIES[n % len(_COMPANIES)])
        for n in range(max(3, users // 25))
    ]
    for company_id, name, industry in companies:
        call(
            cio_analytics.create_object,
            company_id,
            {"name": name, "industry": industry, "employees": rng.randint(5, 400)},
            object_type_id="1",
        )
    return companies


def _traits(rng: random.Random, index: int, now: dt.datetime) -> dict[str, Any]:
    """The traits of shopper ``index``: name, email, plan and sign-up time."""
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    return {
        "email": f"{first.lower()}.{last.lower().replace('-', '')}.{index + 1}@example.com",
        "first_name": first,
        "last_name": last,
        "plan": rng.choice(_PLANS),
        "createdAt": now - dt.timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440)),
    }


def _sign_up(call: _Timer, rng: random.Random, user_id: str, traits: dict[str, Any]) -> None:
    """Identify the shopper; some visit anonymously first and are merged by alias on sign-up."""
    analytics = cio_analytics
    if rng.random() < 0.3:
        anonymous_id = f"anon-{rng.getrandbits(48):012x}"
        for name, path in rng.sample(_PAGES, 2):
            call(
                analytics.page,
                anonymous_id=anonymous_id,
                name=name,
                properties=_page_properties(path, name, rng),
            )
        call(analytics.identify, user_id, traits)
        call(analytics.alias, anonymous_id, user_id)
        call(analytics.track, user_id, "Signed Up", {"plan": traits["plan"], "via": "web"})
    else:
        call(analytics.identify, user_id, traits)


def _join_company(
    call: _Timer, rng: random.Random, user_id: str, companies: list[tuple[str, str, str]]
) -> None:
    """Relate the shopper to one of the companies, with a role."""
    company_id = rng.choice(companies)[0]
    call(
        cio_analytics.group,
        user_id,
        company_id,
        object_type_id="1",
        relationship_attributes={"role": rng.choice(["admin", "member", "billing"])},
    )


def _page_properties(path: str, name: str, rng: random.Random) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "url": _SITE + path,
        "path": path,
        "title": f"{name} | Acme Outfitters",
    }
    referrer = rng.choice(_REFERRERS)
    if referrer:
        properties["referrer"] = referrer
    return properties


def _shop(call: _Timer, rng: random.Random, user_id: str, index: int) -> None:
    """Browse, add to cart, and sometimes check out and complete the order."""
    viewed = _view_products(call, rng, user_id)
    products = _add_to_cart(call, rng, user_id, index, viewed)
    if rng.random() >= 0.7:
        return
    _check_out(call, rng, user_id, index, products)


_Product = tuple[str, str, str, str, str, Decimal]


def _view_products(call: _Timer, rng: random.Random, user_id: str) -> list[_Product]:
    """View one to three products of the catalogue; returns them."""
    viewed = rng.sample(_CATALOGUE, rng.randint(1, 3))
    for product_id, sku, name, category, brand, price in viewed:
        call(
            cio_analytics.ecommerce.product_viewed,
            user_id,
            product_id=product_id,
            sku=sku,
            name=name,
            category=category,
            brand=brand,
            price=price,
            currency="USD",
            url=f"{_SITE}/p/{product_id}",
        )
    return viewed


def _add_to_cart(
    call: _Timer, rng: random.Random, user_id: str, index: int, viewed: list[_Product]
) -> list[dict[str, Any]]:
    """Add some of the viewed products to the cart; returns the cart's lines."""
    cart_id = f"cart-{index + 1:04d}"
    products: list[dict[str, Any]] = []
    for position, (product_id, sku, name, category, brand, price) in enumerate(
        viewed[: rng.randint(1, len(viewed))], start=1
    ):
        quantity = rng.choice((1, 1, 1, 2))
        call(
            cio_analytics.ecommerce.product_added,
            user_id,
            cart_id=cart_id,
            product_id=product_id,
            sku=sku,
            name=name,
            category=category,
            brand=brand,
            price=price,
            quantity=quantity,
        )
        products.append(
            {
                "product_id": product_id,
                "sku": sku,
                "name": name,
                "price": price,
                "quantity": quantity,
                "position": position,
            }
        )
    return products


def _check_out(
    call: _Timer, rng: random.Random, user_id: str, index: int, products: list[dict[str, Any]]
) -> None:
    """Start the checkout of the cart, and usually complete the order."""
    shop = cio_analytics.ecommerce
    order_id = f"order-{index + 1:04d}"
    subtotal = sum((p["price"] * p["quantity"] for p in products), Decimal(0))
    shipping = Decimal("0.00") if subtotal >= 150 else Decimal("9.95")
    tax = (subtotal * Decimal("0.08")).quantize(Decimal("0.01"))
    call(
        shop.checkout_started,
        user_id,
        order_id=order_id,
        value=subtotal,
        revenue=subtotal,
        currency="USD",
        products=products,
    )
    if rng.random() < 0.85:
        call(
            shop.order_completed,
            user_id,
            checkout_id=f"chk-{index + 1:04d}",
            order_id=order_id,
            subtotal=subtotal,
            shipping=shipping,
            tax=tax,
            total=subtotal + shipping + tax,
            revenue=subtotal,
            currency="USD",
            products=products,
        )


def _mobile(call: _Timer, rng: random.Random, user_id: str) -> None:
    """A push device, an app open and a screen view; sometimes a logout removes the device."""
    device_type = rng.choice(("ios", "android"))
    token = f"{'apns' if device_type == 'ios' else 'fcm'}-{rng.getrandbits(64):016x}"
    version = rng.choice(("3.1.0", "3.2.0", "3.2.1"))
    call(cio_analytics.add_device, user_id, token, device_type, {"app_version": version})
    call(cio_analytics.mobile.application_opened, user_id, from_background=False, version=version)
    call(cio_analytics.screen, user_id, name="Trips", properties={"tab": "upcoming"})
    if rng.random() < 0.1:
        call(cio_analytics.delete_device, user_id, token, device_type)


def _sample(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A few received messages of different kinds, in arrival order."""
    wanted: list[Callable[[dict[str, Any]], object]] = [
        lambda m: m.get("type") == "identify",
        lambda m: m.get("event") == "Order Completed",
        lambda m: m.get("type") == "group" and m.get("userId"),
        lambda m: m.get("event") == "Device Created or Updated",
        lambda m: m.get("type") == "alias",
        lambda m: m.get("type") == "page",
    ]
    picked: list[dict[str, Any]] = []
    for test in wanted:
        found = next((m for m in records if test(m) and m not in picked), None)
        if found is not None:
            picked.append(found)
        if len(picked) == SAMPLE_SIZE:
            break
    return sorted(picked, key=records.index)


def sample_line(message: Mapping[str, Any], width: int = 118) -> str:
    """One line for a received message: type, event or name, identity, and its payload.

    Args:
        message: A message as the server decoded it.
        width: Cut the line to this many characters.

    Returns:
        For example ``track  Order Completed  userId=user-0007  {"order_id": ...}``.
    """
    kind = str(message.get("type", "?"))
    label = message.get("event") or message.get("name") or message.get("groupId") or ""
    if kind == "alias":
        who = f"previousId={message.get('previousId')} -> userId={message.get('userId')}"
    elif message.get("userId"):
        who = f"userId={message['userId']}"
    else:
        who = f"anonymousId={message.get('anonymousId')}"
    payload: dict[str, Any] = dict(message.get("properties") or message.get("traits") or {})
    device = (message.get("context") or {}).get("device")
    if device:
        payload = {"context.device": device, **payload}
    body = json.dumps(payload, separators=(", ", ": "), default=str) if payload else ""
    line = f"{kind:<9}{label!s:<26} {who}  {body}".rstrip()
    return line if len(line) <= width else line[: width - 3] + "..."


# -- a real (or explicitly chosen) host ---------------------------------------------


def _run_labelled(args: argparse.Namespace, out: TextIO) -> int:
    """Send (or with --dry-run, build) the three labelled messages for the key's workspace."""
    settings = resolve_settings(args, send=not args.dry_run)
    run_id = f"{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    user_id = DEMO_USER_PREFIX + run_id
    _announce_labelled(args, settings, user_id, out)
    failures: list[str] = []

    def on_error(exc: BaseException, messages: list[dict[str, Any]]) -> None:
        failures.append(f"{len(messages)} message(s) not delivered: {exc}")

    cio_analytics.reset()
    cio_analytics.configure(
        write_key=settings.write_key,
        host=settings.base_url,
        on_error=on_error,
        send=not args.dry_run,
    )
    started = time.perf_counter()
    ids = _send_labelled(user_id, run_id)
    if args.dry_run:
        for message_id in ids:
            print(f"  validated {message_id}", file=out)
        print("OK: 3 messages validated and encoded (dry run: nothing sent).", file=out)
        return EXIT_OK
    return _labelled_verdict(args, len(ids), started, failures, out)


def _announce_labelled(
    args: argparse.Namespace, settings: Settings, user_id: str, out: TextIO
) -> None:
    """Say where the labelled messages go (or that a dry run sends nothing)."""
    endpoint = f"{settings.base_url}/v1/batch"
    if args.dry_run:
        print(
            "cio-analytics demo --dry-run: building the labelled demo messages "
            f"for {endpoint}; nothing will be sent.",
            file=out,
        )
        return
    print(
        f"cio-analytics demo: a write key is set (from {key_source(args)}), so this sends 3 "
        f"labelled messages to the real Customer.io API at {endpoint} "
        f"({host_source(args, settings)}).",
        file=out,
    )
    print(
        f"They use userId {user_id} and the event {DEMO_EVENT!r}; delete that person "
        "in your workspace afterwards if you like.",
        file=out,
    )


def _send_labelled(user_id: str, run_id: str) -> list[str]:
    """Make the three labelled calls (identify, track, page); returns their message ids."""
    return [
        cio_analytics.identify(
            user_id,
            {"email": f"{user_id}@example.com", "cio_analytics_demo": True},
        ),
        cio_analytics.track(user_id, DEMO_EVENT, {"run_id": run_id, "library": "cio-analytics"}),
        cio_analytics.page(
            user_id,
            name=DEMO_EVENT,
            properties={"url": "https://example.com/cio-analytics-demo", "run_id": run_id},
        ),
    ]


def _labelled_verdict(
    args: argparse.Namespace, sent: int, started: float, failures: list[str], out: TextIO
) -> int:
    """Wait for delivery, print the figures and whether the API took all; returns the status."""
    finished = cio_analytics.flush(timeout=args.timeout)
    elapsed = time.perf_counter() - started
    stats = cio_analytics.stats()
    cio_analytics.shutdown(timeout=2.0)
    _print_rows(
        [
            ("messages sent", f"{stats.enqueued}", ""),
            ("delivered", f"{stats.delivered}", ""),
            ("failed", f"{stats.failed}", _reasons(stats.failed_by_reason)),
            ("retries", f"{stats.retries}", ""),
            ("elapsed", f"{elapsed:.2f} s", ""),
        ],
        out,
    )
    for failure in failures:
        print(f"  {failure}", file=out)
    if finished and stats.delivered == sent:
        print(f"OK: the API accepted all {sent} messages.", file=out)
        return EXIT_OK
    if not finished:
        print(f"FAILED: delivery did not finish within {args.timeout:g} s.", file=out)
    else:
        print("FAILED: not every message was accepted (see above).", file=out)
    return EXIT_FAILURE
