"""``cio-analytics doctor``: check the configuration and the way to the API, step by step.

It prints the versions, where the write key comes from (never the key), the
region, the host and the effective settings, then checks the network one step
at a time: name resolution, a TCP connection, the TLS handshake for https,
and, with a key, an empty batch (``{"batch": []}``, which carries no data) to
see whether the API accepts the key. Every wait is bounded by ``--timeout``.
Exit status: 0 when everything looks fine, 1 when a check failed, 2 for bad
options.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import socket
import ssl
import sys
import time
from dataclasses import dataclass, field
from typing import Final, TextIO
from urllib.parse import urlsplit, urlunsplit

from cio_analytics._delivery.lease import segment_names
from cio_analytics._delivery.spool_dir import SpoolUnavailable, prepare
from cio_analytics._delivery.spool_format import parse
from cio_analytics._settings import ENV_API_KEY, ENV_REGION, Settings, is_loopback_url
from cio_analytics._version import __version__
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

__all__ = ["DEFAULT_TIMEOUT", "run_doctor"]

#: Seconds each network check may take.
DEFAULT_TIMEOUT: Final = 5.0


@dataclass
class _Report:
    """The lines printed so far and the problems found."""

    out: TextIO
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def row(self, label: str, value: str) -> None:
        print(f"  {label:<15}{value}", file=self.out)

    def problem(self, label: str, value: str, problem: str) -> None:
        self.row(label, f"FAIL {value}")
        self.problems.append(problem)

    def warn(self, label: str, value: str, warning: str) -> None:
        self.row(label, f"WARN {value}")
        self.warnings.append(warning)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _mask(url: str) -> str:
    """A URL with any user name and password replaced by ``***``."""
    parts = urlsplit(url)
    if not (parts.username or parts.password):
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _settings_lines(settings: Settings) -> list[str]:
    rate = "off" if settings.rate_limit is None else f"{settings.rate_limit:g}/s"
    return [
        f"timeout {settings.timeout:g} s, max_retries {settings.max_retries}, "
        f"retry_deadline {settings.retry_deadline:g} s, rate_limit {rate}, "
        f"strict {settings.strict}, gzip {settings.gzip}",
        f"upload_size {settings.upload_size}, upload_interval {settings.upload_interval:g} s, "
        f"max_queue_size {settings.max_queue_size}, "
        f"shutdown_timeout {settings.shutdown_timeout:g} s",
    ]


def _region_source(args: argparse.Namespace) -> str:
    if args.region is not None:
        return "from --region"
    return f"from {ENV_REGION}" if os.environ.get(ENV_REGION) else "default"


def run_doctor(args: argparse.Namespace) -> int:
    """Check the configuration and the network path to the API; print what was found.

    Args:
        args: The parsed ``doctor`` options.

    Returns:
        0 when every check passed, 1 when one failed, 2 for bad options.
    """
    if not args.timeout > 0:
        error("doctor", f"--timeout must be > 0, got {args.timeout:g}")
        return EXIT_USAGE
    report = _Report(sys.stdout)
    print("cio-analytics doctor", file=report.out)
    print(file=report.out)
    report.row("python", f"{platform.python_version()} ({sys.executable})")
    report.row(
        "cio-analytics",
        f"{__version__} (httpx {_version('httpx')}, msgspec {_version('msgspec')}, "
        f"tenacity {_version('tenacity')})",
    )
    try:
        settings = resolve_settings(args)
    except UsageError as exc:
        report.problem("settings", "invalid", str(exc))
        return _conclude(report)
    source = key_source(args)
    if source is None:
        report.problem(
            "write key",
            "not set",
            f"no write key: set {ENV_API_KEY} (or pass --write-key) to the API key of your "
            "Customer.io API source",
        )
    else:
        report.row("write key", f"set (from {source})")
    report.row("region", f"{settings.region} ({_region_source(args)})")
    report.row("host", f"{settings.base_url} ({host_source(args, settings)})")
    endpoint = f"{settings.base_url}/v1/batch"
    report.row("endpoint", endpoint)
    for label, line in zip(("settings", ""), _settings_lines(settings), strict=True):
        report.row(label, line)
    if endpoint.startswith("http://") and not is_loopback_url(endpoint):
        report.problem(
            "security",
            "plain http",
            "the host uses plain http: the key and every message would cross the network "
            "unencrypted; use https",
        )
    # Deferred, like httpx below: the transport module imports the HTTP stack, which
    # no other subcommand's start-up (the parser imports this module) should pay for.
    from cio_analytics._delivery.transport import environment_proxy  # noqa: PLC0415

    proxy = settings.proxy or environment_proxy(endpoint)
    report.row("proxy", _mask(proxy) if proxy else "none")
    _spool(report, getattr(args, "spool_dir", None) or settings.spool_dir, settings)
    if _network(report, settings, endpoint, proxy, args.timeout):
        _api(report, settings, endpoint, proxy, args.timeout, has_key=source is not None)
    return _conclude(report)


def _spool(report: _Report, spool_dir: str | None, settings: Settings) -> None:
    """Check the spool directory: safe, writable, room for spool_max_bytes, what waits."""
    if spool_dir is None:
        report.row("spool", "off (no spool_dir)")
        return
    try:
        folder = prepare(spool_dir, settings.write_key or "", settings.base_url)
        probe = os.path.join(folder, f".doctor-{os.getpid()}")
        with open(probe, "wb") as fh:
            fh.write(b"x")
        os.unlink(probe)
    except (SpoolUnavailable, OSError) as exc:
        report.problem(
            "spool",
            spool_dir,
            f"the spool directory cannot be used ({exc}): the library would turn the spool "
            "off and keep messages in memory only",
        )
        return
    free = shutil.disk_usage(folder).free
    waiting = sum(len(parse(_read(os.path.join(folder, n))).unacked)
                  for n in segment_names(folder))  # fmt: skip
    report.row(
        "spool",
        f"{folder} ok (0700, yours); {waiting:,} message(s) waiting; "
        f"{free / 2**20:,.0f} MiB free",
    )
    if free < settings.spool_max_bytes:
        report.warn(
            "spool",
            "little room",
            f"the disk holding the spool has {free / 2**20:,.0f} MiB free, less than "
            f"spool_max_bytes ({settings.spool_max_bytes / 2**20:,.0f} MiB): a long outage "
            "may fill it (the spool then turns itself off)",
        )


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _network(
    report: _Report, settings: Settings, endpoint: str, proxy: str | None, timeout: float
) -> bool:
    """Resolve, connect and (for https) shake hands; returns whether the host is reachable."""
    target = urlsplit(proxy if proxy else endpoint)
    hostname = target.hostname or ""
    port = target.port or (443 if target.scheme == "https" else 80)
    via = " (the proxy)" if proxy else ""
    started = time.perf_counter()
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        report.problem("dns", f"{hostname}{via}", f"{hostname} does not resolve: {exc}")
        return False
    addresses = sorted({str(info[4][0]) for info in infos})
    took = _ms(time.perf_counter() - started)
    report.row("dns", f"{hostname}{via} -> {', '.join(addresses[:4])} ({took})")
    started = time.perf_counter()
    try:
        sock = socket.create_connection((hostname, port), timeout=timeout)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        report.problem(
            "connect", f"{hostname}:{port}{via}", f"cannot connect to {hostname}:{port}: {reason}"
        )
        return False
    with sock:
        report.row("connect", f"{hostname}:{port}{via} ok ({_ms(time.perf_counter() - started)})")
        if target.scheme != "https" or proxy:
            report.row("tls", "not checked (proxy)" if proxy else "not used (http)")
            return True
        started = time.perf_counter()
        try:
            context = ssl.create_default_context()
            with context.wrap_socket(sock, server_hostname=hostname) as tls:
                version = tls.version() or "?"
                certificate = tls.getpeercert() or {}
        except (ssl.SSLError, ssl.CertificateError, OSError) as exc:
            report.problem("tls", hostname, f"TLS handshake with {hostname} failed: {exc}")
            return False
        expires = str(certificate.get("notAfter", "?"))
        report.row(
            "tls",
            f"{version}, certificate valid for {hostname} until {expires} "
            f"({_ms(time.perf_counter() - started)})",
        )
    return True


def _api(
    report: _Report,
    settings: Settings,
    endpoint: str,
    proxy: str | None,
    timeout: float,
    *,
    has_key: bool,
) -> None:
    """POST an empty batch with the key and interpret the answer."""
    if not has_key or settings.write_key is None:
        report.row("api", "not checked (no write key)")
        return
    # Deferred: the other checks, and every other subcommand, need no HTTP client.
    import httpx  # noqa: PLC0415

    from cio_analytics._delivery.transport import USER_AGENT  # noqa: PLC0415

    started = time.perf_counter()
    try:
        with httpx.Client(proxy=proxy, timeout=timeout, trust_env=False) as http:
            response = http.post(
                endpoint,
                content=b'{"batch":[]}',
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    "X-Strict-Mode": "1",
                },
                auth=(settings.write_key, ""),
            )
    except httpx.HTTPError as exc:
        report.problem("api", "no answer", f"POST {endpoint} failed: {type(exc).__name__}: {exc}")
        return
    took = _ms(time.perf_counter() - started)
    status = response.status_code
    if 200 <= status < 300:
        report.row("api", f"HTTP {status} to an empty batch: the write key was accepted ({took})")
    elif status in (401, 403):
        report.problem(
            "api",
            f"HTTP {status}",
            f"the API refused the write key (HTTP {status}): check {ENV_API_KEY} and the "
            "region (a key only works in its own region)",
        )
    elif status >= 500 or status == 429:
        report.problem("api", f"HTTP {status}", f"the API answered HTTP {status} ({took})")
    else:
        report.warn(
            "api",
            f"HTTP {status}",
            f"the API answered HTTP {status} to an empty batch; it is reachable, but whether "
            "it accepts the key is unknown",
        )


def _conclude(report: _Report) -> int:
    """Print the warnings and problems; return the exit status."""
    print(file=report.out)
    for warning in report.warnings:
        print(f"warning: {warning}", file=report.out)
    if not report.problems:
        print("OK: the configuration looks fine.", file=report.out)
        return EXIT_OK
    count = len(report.problems)
    print(f"{count} problem{'s' if count > 1 else ''} found:", file=report.out)
    for problem in report.problems:
        print(f"  - {problem}", file=report.out)
    return EXIT_FAILURE
