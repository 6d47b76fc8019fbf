"""The interpreters the benchmarks run their targets on, and how to start a target on each.

Debian's and pyenv's interpreters run as they are; Debian sid's 3.13 to 3.15 live in a sid root
(`bash scripts/sid-pythons.sh root`) and run chrooted in their own mount namespace with their own
/proc, as a container runs them. unshare (without --fork), sh and chroot each exec the next, so the
process we start IS the interpreter: its PID is the one gcscope attaches to.
Standard library only: the benchmarks run under Debian's /usr/bin/python3."""
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SID_ROOT = os.path.join(os.environ.get("GCSCOPE_PYTHONS_DIR", os.path.join(SOURCE_DIR, ".cache", "pythons")),
                        "sid-root")


@dataclass(frozen=True)
class Interpreter:
    label: str
    python: str  # the executable's path as the target sees it (inside `root` when there is one)
    root: str = ""  # "" on this machine, else the root the target runs chrooted in

    def unavailable(self):
        """Why this interpreter cannot run here, or "" when it can."""
        if self.root and not os.path.exists(os.path.join(self.root, ".gcscope-ready")):
            return "no sid root at %s (bash scripts/sid-pythons.sh root)" % self.root
        if not os.access(self.root + self.python, os.X_OK):
            return "%s is not installed here" % (self.root + self.python)
        if self.root and os.geteuid() != 0:
            return "running a target chrooted in its own mount namespace needs root"
        return ""

    def start(self, script, *args, **popen_args):
        """Starts `script` (a file in tests/bench) with `args` on this interpreter: a Target."""
        return Target(self, script, [str(a) for a in args], popen_args)


class Target:
    """A running target process; as a context manager it is killed and its files removed at the end."""

    def __init__(self, interpreter, script, args, popen_args):
        self.interpreter = interpreter
        self._shared = ""
        # -I: no user site, no PYTHON* variables: the same interpreter state on every machine.
        if not interpreter.root:
            argv = [interpreter.python, "-I", script] + args
        else:
            # The target must see its script inside its root: a private folder in the root's /tmp.
            self._shared = tempfile.mkdtemp(prefix="gcscope-bench-", dir=os.path.join(interpreter.root, "tmp"))
            shutil.copy(script, self._shared)
            inside = os.path.join(self._shared[len(interpreter.root):], os.path.basename(script))
            argv = ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                    'root=$1 python=$2; shift 2; mount -t proc proc "$root/proc" && '
                    'exec /usr/sbin/chroot "$root" "$python" -I "$@"',
                    "sh", interpreter.root, interpreter.python, inside] + args
        try:
            self.process = subprocess.Popen(argv, **popen_args)
        except BaseException:
            self._remove_shared()
            raise
        self.pid = self.process.pid

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                stream.close()
        self._remove_shared()

    def _remove_shared(self):
        if self._shared:
            shutil.rmtree(self._shared, ignore_errors=True)
            self._shared = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _on_this_machine(label, python):
    return Interpreter(label, python)


def _in_sid_root(minor):
    return Interpreter("sid-" + minor, "/usr/bin/python" + minor, SID_ROOT)


def known():
    """Every interpreter the benchmarks know, whether it is here or not; the python3 on PATH as well
    when it is none of them."""
    found = [
        _on_this_machine("debian-3.11", "/usr/bin/python3"),
        _on_this_machine("pyenv-3.11.7", "/root/.pyenv/versions/3.11.7/bin/python3"),
        _on_this_machine("pyenv-3.12.1", "/root/.pyenv/versions/3.12.1/bin/python3.12"),  # portable form only
        _on_this_machine("pyenv-3.13.0", "/root/.pyenv/versions/3.13.0/bin/python3.13"),
        _in_sid_root("3.13"),
        _in_sid_root("3.14"),
        _in_sid_root("3.15"),
    ]
    on_path = _real_executable("python3")
    if on_path and on_path not in {os.path.realpath(i.python) for i in found if not i.root}:
        found.append(_on_this_machine("path-python3", on_path))
    return found


def _real_executable(python):
    """The file a python command really runs (pyenv's shims are scripts), or "" when there is none."""
    if not shutil.which(python):
        return ""
    try:
        r = subprocess.run([python, "-c", "import os, sys; print(os.path.realpath(sys.executable))"],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return r.stdout.strip() if r.returncode == 0 else ""


def select(specs):
    """Interpreters by label (`sid-3.15`), by path on this machine, or `all` (also when specs is empty)."""
    chosen = []
    for spec in specs or ["all"]:
        if spec == "all":
            chosen += known()
            continue
        by_label = [i for i in known() if i.label == spec]
        chosen += by_label or [_on_this_machine(spec, spec)]
    return chosen


def agent_directory(gcscope):
    """The folder of the agents a build's gcscope attaches with: BUILD/agent/lib, or the folder
    GCSCOPE_AGENT names."""
    chosen = os.environ.get("GCSCOPE_AGENT", "")
    if os.path.isdir(chosen):
        return chosen
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(gcscope))), "agent", "lib")


def has_form(gcscope, form):
    return os.path.isfile(os.path.join(agent_directory(gcscope), "libgcscope_agent_%s.so" % form))


def gcscope_command(gcscope, form, *args):
    """argv and environment for one gcscope command: `form` None attaches with the form the version
    table picks (a GCSCOPE_AGENT_FORM set by the caller is dropped), else with that form."""
    env = dict(os.environ, GCSCOPE_AGENT=agent_directory(gcscope))
    env.pop("GCSCOPE_AGENT_FORM", None)
    argv = [gcscope] + (["--agent-form", form] if form else []) + [str(a) for a in args]
    return argv, env


def describe(gcscope, pid):
    """What `gcscope ps` says about the process `pid` (version, agent_form, attachable, reason, container),
    or None when it does not list it as a Python process."""
    argv, env = gcscope_command(gcscope, None, "ps", "--json")
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit("gcscope ps failed: " + r.stderr)
    for entry in json.loads(r.stdout):
        if entry.get("pid") == pid:
            return entry
    return None


def forms_to_measure(gcscope, exact_form):
    """(form label, --agent-form value or None, why it is not measured or "") for the form the version
    table picks (exact, or portable for 3.12) and the portable one (not with GCSCOPE_BENCH_FORMS=exact)."""
    picked = [(exact_form, None, "")]
    if exact_form == "portable" or os.environ.get("GCSCOPE_BENCH_FORMS") == "exact":
        return picked
    return picked + [("portable", "portable", "" if has_form(gcscope, "portable") else "not built")]


def add_result(path, **record):
    """Appends one result as a JSON line for scripts/bench.sh's table (nothing when path is empty)."""
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(record) + "\n")
