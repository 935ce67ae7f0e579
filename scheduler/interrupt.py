"""Ctrl-C for ``peakplan plan`` (issue 17): one process-wide "stop requested" state, the stage under way,
and the CP-SAT solves running, so that a run ends within seconds of a SIGINT at any stage.

- **Before a roster exists** (reading, forecast, staffing, rules, model build, aggregate, the first
  hand-out), the first Ctrl-C raises ``Interrupted`` in the main thread: nothing is written.
- **Once one exists** (``roster_found``, or inside ``keeping()``), the first Ctrl-C only sets the flag:
  every running CP-SAT solve is stopped (``solver.stop_search()`` from a watcher thread, since the
  main thread sits in C++ while a solve runs and Python runs its handler only after), the staged
  solve's loops stop at their next check of ``requested()``, and the run goes on with the best
  roster so far: checked, the simulation skipped, written, marked interrupted with ``stopped_at()``.
- **A second Ctrl-C** raises ``Interrupted`` at once; should the main thread be stuck in native code,
  the watcher ends the process ``HARD_EXIT_S`` later (exit ``EXIT_CODE``) — but never while a run
  folder is being renamed into place (``shielded``).

The watcher learns of a SIGINT from the signal wake-up fd (Python writes the signal's number to it
as the signal arrives, whatever the main thread is doing). Every solve goes through ``solve`` (the
registry); solvers are stopped again every ``RESTOP_S`` while the flag is set, so a solve that was
just starting is not missed. ``catch_sigint_signal`` is off on every solver (``scheduler.roster.model.set_limits``):
CP-SAT's own handler would take SIGINT from Python.

``installed()`` is the ``plan`` command's; ``keeping()`` alone (a library call, a test) installs the
same machinery for its block, with the first Ctrl-C only setting the flag.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
import time

EXIT_CODE = 130  # 128 + SIGINT: the shell's code for a command ended by Ctrl-C
HARD_EXIT_S = 2.0  # after a second Ctrl-C, the longest the process lives on
RESTOP_S = 0.1
DELAY_ENV = "PEAKPLAN_STAGE_DELAY"  # tests: "stage=seconds,...": each such stage starts with that long a wait


class Interrupted(KeyboardInterrupt):
    """Ctrl-C with nothing to keep (no roster yet), or a second Ctrl-C: the run ends, nothing written."""

    def __init__(self, stage: str | None, second: bool = False):
        super().__init__(stage)
        self.stage, self.second = stage, second


class _State:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        self.requested = False
        self.stage: str | None = None
        self.stopped_at: str | None = None  # the stage under way at the first Ctrl-C
        self.handler_calls = 0
        self.seen = 0  # SIGINTs the watcher has read
        self.roster = False  # a roster exists: the first Ctrl-C keeps it
        self.keeping = 0
        self.shield = 0
        self.pending = False  # a raise held back by the shield
        self.solvers: set = set()


_state = _State()
_install: dict | None = None  # the machinery in place: previous handler, wake-up fd, watcher


# ------------------------------------------------------------------ queries and stage marks

def requested() -> bool:
    """A Ctrl-C arrived: stop and keep the best so far."""
    return _state.requested


def stopped_at() -> str | None:
    """The stage under way when the first Ctrl-C arrived (None without one)."""
    return _state.stopped_at


def current() -> str | None:
    return _state.stage


def stage(name: str, nothing_kept: bool = False) -> None:
    """Mark the stage under way; with ``nothing_kept``, first raise ``Interrupted`` if a Ctrl-C came."""
    if nothing_kept:
        check()
    _state.stage = name
    _test_delay(name)


def check() -> None:
    """Raise ``Interrupted`` if a Ctrl-C came: for points with no roster of their own to keep."""
    if _state.requested:
        raise Interrupted(_state.stopped_at or _state.stage)


def roster_found() -> None:
    """From now on the first Ctrl-C keeps the best roster (no raise)."""
    _state.roster = True


def wait(seconds: float) -> None:
    """Sleep up to ``seconds``, ending early on Ctrl-C."""
    end = time.monotonic() + seconds
    while not _state.requested and (left := end - time.monotonic()) > 0:
        time.sleep(min(0.05, left))


def _test_delay(name: str) -> None:
    spec = os.environ.get(DELAY_ENV)
    if not spec:
        return
    for item in spec.split(","):
        key, _, seconds = item.partition("=")
        if key.strip() == name:
            sys.stderr.write(f"[{DELAY_ENV}] waiting at stage {name}\n")
            sys.stderr.flush()
            wait(float(seconds))
            if not _state.roster and not _state.keeping:
                check()


# ------------------------------------------------------------------ solves

def solve(solver, model, callback=None):
    """``solver.solve(model, callback)``, stopped by a Ctrl-C (at once, or before it starts)."""
    with _state.lock:
        _state.solvers.add(solver)
    try:
        if _state.requested:  # the stopper thread stops it as soon as it starts
            _stop_all()
        return solver.solve(model, callback) if callback is not None else solver.solve(model)
    finally:
        with _state.lock:
            _state.solvers.discard(solver)


def _stop_all() -> None:
    with _state.lock:
        solvers = list(_state.solvers)
    for solver in solvers:
        solver.stop_search()


# ------------------------------------------------------------------ the signal

def _request() -> None:
    """The first Ctrl-C's effects (idempotent): the flag, the stage it came in, every solve stopped."""
    with _state.lock:
        if not _state.requested:
            _state.requested, _state.stopped_at = True, _state.stage
    _stop_all()


def _on_sigint(signum, frame) -> None:
    """Python's handler, in the main thread between bytecodes."""
    with _state.lock:
        _state.handler_calls += 1
        second = max(_state.handler_calls, _state.seen) >= 2
    _request()
    if second or not (_state.roster or _state.keeping):
        if _state.shield:
            _state.pending = True
            return
        raise Interrupted(_state.stopped_at, second=second)


def _watch(sock: socket.socket, stop: threading.Event) -> None:
    """The watcher thread: reads the signal numbers Python writes to the wake-up fd."""
    restop = None
    while not stop.is_set():
        sock.settimeout(RESTOP_S if _state.requested else None)
        try:
            data = sock.recv(64)
        except socket.timeout:
            data = b""
        except OSError:
            return
        if stop.is_set():
            return
        for byte in data:
            if byte == signal.SIGINT:
                with _state.lock:
                    _state.seen += 1
                    second = _state.seen == 2
                _request()
                if second:
                    threading.Thread(target=_hard_exit, args=(stop,), daemon=True).start()
        if _state.requested and (restop is None or time.monotonic() - restop >= RESTOP_S):
            _stop_all()  # again: a solve may have been starting when the flag was set
            restop = time.monotonic()


def _hard_exit(stop: threading.Event) -> None:
    """After a second Ctrl-C: if the process is still alive ``HARD_EXIT_S`` later, end it (never mid-rename)."""
    if stop.wait(HARD_EXIT_S):
        return
    while _state.shield and not stop.is_set():
        time.sleep(0.01)
    if stop.is_set():
        return
    try:
        sys.stderr.write(f"Interrupted (second Ctrl-C) during {describe(_state.stage)}: nothing written\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_CODE)


def _setup() -> dict | None:
    if threading.current_thread() is not threading.main_thread():
        return None
    reader, writer = socket.socketpair()
    reader.setblocking(True)
    writer.setblocking(False)
    previous = signal.signal(signal.SIGINT, _on_sigint)
    old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(reader, stop), name="ctrl-c watcher", daemon=True)
    watcher.start()
    return {"previous": previous, "old_fd": old_fd, "reader": reader, "writer": writer, "stop": stop, "watcher": watcher}


def _teardown(setup: dict | None) -> None:
    if setup is None:
        return
    signal.set_wakeup_fd(setup["old_fd"])
    signal.signal(signal.SIGINT, setup["previous"])
    setup["stop"].set()
    try:
        setup["writer"].send(b"\0")
    except OSError:
        pass
    setup["watcher"].join(1.0)
    setup["reader"].close()
    setup["writer"].close()


@contextlib.contextmanager
def installed():
    """The ``plan`` command's block: Ctrl-C handled as the module docstring says; the state is fresh inside."""
    global _install
    if _install is not None:  # nested: the outer block's machinery serves
        yield _state
        return
    _state.reset()
    _install = _setup()
    try:
        yield _state
    finally:
        _teardown(_install)
        _install = None


@contextlib.contextmanager
def keeping():
    """Within the block the first Ctrl-C only sets the flag (there is a roster to keep). Outside
    ``installed()`` it installs the machinery for the block (main thread only) and resets it after."""
    global _install
    own = _install is None and threading.current_thread() is threading.main_thread()
    if own:
        _state.reset()
        _install = _setup()
    _state.keeping += 1
    try:
        yield _state
    finally:
        _state.keeping -= 1
        if own:
            _teardown(_install)
            _install = None
            _state.reset()


@contextlib.contextmanager
def shielded():
    """No Ctrl-C takes effect inside the block (a rename into place): a raise waits for its end."""
    _state.shield += 1
    try:
        yield
    finally:
        _state.shield -= 1
        if not _state.shield and _state.pending:
            _state.pending = False
            raise Interrupted(_state.stopped_at, second=True)


STAGE_WORDS = {"reading": "reading the inputs", "forecast": "forecasting", "staffing": "computing the staffing",
               "rules": "checking the rules", "model": "building the roster model", "aggregate": "solving the aggregate",
               "first_roster": "handing out the first roster", "sweeps": "improving the hand-out (sweeps)",
               "cover": "covering the floor", "polish": "polishing the roster", "solve": "solving the roster",
               "check": "checking the roster", "simulation": "simulating", "deliver": "making the report",
               "write": "writing the run folder", "scenarios": "planning the scenarios"}


def describe(name: str | None) -> str:
    return STAGE_WORDS.get(name, name or "start-up")
