"""Shared fixtures of the Python suite: one in-process sandbox per session, and clients
pointed at it.

The sandbox (audkit.sandbox) is stdlib only; tests that need the native extension import
it with ``pytest.importorskip("audkit._core")``, so a tree without the extension built still
runs the pure-Python tests. Set AUDKIT_REQUIRE_EXTENSION=1 (CI does) to turn a missing
extension into a collection error instead of skips.
"""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.abspath(os.path.join(HERE, "..", "..", "python"))
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

if os.environ.get("AUDKIT_REQUIRE_EXTENSION"):
    import audkit._core  # noqa: F401  - fail loudly when the extension is missing

# the fault suite's server and its `faults` fixture (tests/faults/)
FAULTS_DIR = os.path.abspath(os.path.join(HERE, "..", "faults"))
if FAULTS_DIR not in sys.path:
    sys.path.insert(0, FAULTS_DIR)
from faults_fixtures import faults  # noqa: E402,F401  - the fixture, registered here


@pytest.fixture
def sigint():
    """For tests that send SIGINT to their own process: Python's KeyboardInterrupt handler for
    the test's duration, also when the suite was started with SIGINT ignored (`make test &`,
    nohup: a background job inherits SIG_IGN and Python then installs no handler)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        pytest.skip("signals need the main thread")
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def sigint_default() -> None:
    """preexec_fn of subprocesses that are sent SIGINT: resets an inherited SIG_IGN (a suite
    started in the background), so the child's Python installs its KeyboardInterrupt handler."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="session")
def sb():
    """The session's sandbox (random credentials, loopback, ephemeral port)."""
    from audkit import sandbox

    box = sandbox.start()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def sandbox_clean(sb):
    """The sandbox with no objects, faults or logged requests."""
    sb.reset()
    yield sb
    sb.clear_faults()


@pytest.fixture
def tx(sandbox_clean):
    """A TencentAds client on the sandbox with a 1 ms retry backoff."""
    pytest.importorskip("audkit._core")
    client = sandbox_clean.client("tencent_ads", backoff=0.001)
    with client:
        yield client


@pytest.fixture
def token(sb):
    return sb.credentials["tencent_ads"]["access_token"]


def tencent_requests(sb, route=None):
    """The sandbox's Tencent request log, optionally for one route."""
    reqs = sb.requests("tencent_ads")
    if route is not None:
        reqs = [r for r in reqs if r.get("route") == route]
    return reqs


@pytest.fixture
def treqs(sb):
    return lambda route=None: tencent_requests(sb, route)


LOOKALIKE = {"lookalike_spec": {"seed_audience_id": 9, "expand_user_count": 1000000}}


@pytest.fixture
def lookalike():
    """A valid audience_spec for type=LOOKALIKE."""
    import copy

    return copy.deepcopy(LOOKALIKE)
