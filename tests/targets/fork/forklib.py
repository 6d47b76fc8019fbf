"""Self-checks for the busy targets of test_fork_snapshot.py: what a copy-on-write snapshot child of
this process could disturb, watched from inside, and reported in the STATUS lines.

Call start() in the main thread before any other thread starts: it blocks SIGCHLD there, so that
every thread inherits the block (the gcscope agent's thread blocks every signal), and runs one
thread that takes each SIGCHLD with sigtimedwait, learning which child sent it. (Children inherit
the block too: one that needs SIGCHLD, multiprocessing's forkserver, must be started before.)
A snapshot child has no exit signal and is no child the program can wait for, so each of these is
an anomaly:
  - a SIGCHLD from a pid this program did not start (or from a process named gcscope-snap);
  - a zombie child it did not start, still there a second later (5 s for a child not named
    gcscope-snap, which the program may register late: grace());
  - whatever the target itself finds wrong (forklib.anomaly): os.waitpid(-1) returning a pid it did
    not start, ECHILD with children outstanding, a wrong exit status, data read back wrong.
A watchdog keeps the longest gap between two beats of every loop (forklib.beat), so a thread that
deadlocks shows as a gap that grows. One of those loops looks symbols up with dlsym() (through
ctypes, the GIL released) every 50 ms: a dynamic loader's lock left held, by an injection cut short
for one, shows as its gap.

status() adds to targetlib's STATUS line:
  anomalies  one short sentence each, the first 20
  max_gap    the longest time in seconds a loop went without a beat, the current wait included
  gaps       the same per loop
  strangers  the children the last scan of /proc found that this program did not start, seen for
             a second at least, 5 s unless named gcscope-snap (a child it just started may not be
             registered yet):
             [pid, comm, state]; a snapshot child while a long snapshot is under way
  snapshot_children  how many distinct gcscope-snap children the scans saw (each lives briefly:
             the scans, every 0.1 s, may miss some)
  sigchld    how many SIGCHLD it took
"""
import ctypes
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402

SNAPSHOT_CHILD = "gcscope-snap"
# A program registers a child once the call that started it returns: asyncio's
# create_subprocess_exec returns the pid only when its loop runs again, and on a loaded machine
# (CI next to builds) a loop was seen 1.4 s late while its child had already exited. So a child of
# any other name gets as long as a loop may be late before the test calls it stuck
# (test_fork_snapshot.STUCK) to be registered; a snapshot child (SNAPSHOT_CHILD) is never the
# program's and is judged after 1 s, as the agent reaps it in milliseconds.
SNAPSHOT_GRACE = 1.0
LATE_REGISTRATION_GRACE = 5.0


def grace(comm):
    """How long a child not registered as ours, its zombie or its SIGCHLD may wait to be judged."""
    return SNAPSHOT_GRACE if comm == SNAPSHOT_CHILD else LATE_REGISTRATION_GRACE

_lock = threading.Lock()
_own = set()
_anomalies = []
_signals = []  # (when, pid, comm) not yet judged
_sigchld_count = 0
_beats = {}
_gaps = {}
_strangers = []
_strangers_since = {}
_snapshot_children = set()
_zombies_since = {}
_zombies_reported = set()


def own(pid):
    """Registers a child this program started (call right after starting it)."""
    with _lock:
        _own.add(pid)


def anomaly(text):
    with _lock:
        if len(_anomalies) < 20:
            _anomalies.append(text)


def beat(name):
    now = time.monotonic()
    with _lock:
        last = _beats.get(name)
        if last is not None and now - last > _gaps.get(name, 0.0):
            _gaps[name] = now - last
        _beats[name] = now


def comm_of(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return "?"


def children():
    """This process's children, from /proc: [(pid, comm, state)]."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        head, _, tail = stat.rpartition(")")
        fields = tail.split()
        if len(fields) > 1 and int(fields[1]) == me:
            found.append((int(entry), head.partition("(")[2], fields[0]))
    return found


def _collect_sigchld():
    global _sigchld_count
    while True:
        info = signal.sigtimedwait({signal.SIGCHLD}, 0.2)
        if info is not None:
            record = (time.monotonic(), info.si_pid, comm_of(info.si_pid))
            with _lock:
                _signals.append(record)
                _sigchld_count += 1
        beat("sigchld")


def _scan_children():
    while True:
        now = time.monotonic()
        found = children()
        with _lock:
            strangers = [c for c in found if c[0] not in _own]
            _strangers[:] = strangers
            current = {c[0] for c in strangers}
            for pid in list(_strangers_since):
                if pid not in current:
                    del _strangers_since[pid]
            for pid, comm, _ in strangers:
                _strangers_since.setdefault(pid, now)
                if comm == SNAPSHOT_CHILD:
                    _snapshot_children.add(pid)
            zombies = {pid: comm for pid, comm, state in strangers if state == "Z"}
            for pid in list(_zombies_since):
                if pid not in zombies:
                    del _zombies_since[pid]
            for pid, comm in zombies.items():
                since = _zombies_since.setdefault(pid, now)
                if now - since >= grace(comm) and pid not in _zombies_reported:
                    _zombies_reported.add(pid)
                    if len(_anomalies) < 20:
                        _anomalies.append("zombie child %d (%s), not ours, left for %.1f s" % (pid, comm, now - since))
        beat("scan")
        time.sleep(0.1)


def _look_up_symbols():
    libc = ctypes.CDLL(None)
    dlsym = libc.dlsym
    dlsym.restype = ctypes.c_void_p
    dlsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    while True:
        if not dlsym(None, b"getpid"):  # RTLD_DEFAULT; takes the loader's lock
            anomaly("dlsym(getpid) found nothing")
        beat("dlsym")
        time.sleep(0.05)


def start():
    """Blocks SIGCHLD and starts the SIGCHLD collector, the /proc scanner and the dlsym loop."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    for work in (_collect_sigchld, _scan_children, _look_up_symbols):
        threading.Thread(target=work, name="forklib" + work.__name__, daemon=True).start()


def ready():
    """READY, once the program is set up: the children it has now (a forkserver, multiprocessing's
    resource tracker) were started by it, before any snapshot."""
    for pid, _, _ in children():
        own(pid)
    targetlib.ready()


def status(n, **extra):
    now = time.monotonic()
    with _lock:
        judged = [s for s in _signals if now - s[0] >= grace(s[2])]
        _signals[:] = [s for s in _signals if now - s[0] < grace(s[2])]
        for _, pid, comm in judged:
            if (pid not in _own or comm == SNAPSHOT_CHILD) and len(_anomalies) < 20:
                _anomalies.append("SIGCHLD from pid %d (%s), not a child of ours" % (pid, comm))
        gaps = dict(_gaps)
        for name, last in _beats.items():
            gaps[name] = max(gaps.get(name, 0.0), now - last)
        report = {
            "anomalies": list(_anomalies),
            "max_gap": round(max(gaps.values(), default=0.0), 3),
            "gaps": {name: round(gap, 3) for name, gap in sorted(gaps.items())},
            "strangers": [list(s) for s in _strangers
                          if s[0] not in _own and now - _strangers_since.get(s[0], now) >= grace(s[1])],
            "snapshot_children": len(_snapshot_children),
            "sigchld": _sigchld_count,
        }
    report.update(extra)
    targetlib.status(n=n, **report)
