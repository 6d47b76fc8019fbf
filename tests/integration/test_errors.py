"""Bad input through the CLI: one clear line, the right exit status, nothing destroyed."""
import hashlib
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import time
import unittest

from gcs_testlib import PYTHONS, TempDirTestCase, agent_files, gcscope, info_json, ptrace_problem

PTRACE = ptrace_problem()


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def free_pid():
    pid = 4_000_000
    while os.path.exists("/proc/%d" % pid):
        pid -= 1
    return pid


class BadPids(TempDirTestCase):
    def test_nonexistent_pid(self):
        pid = free_pid()
        r = gcscope("record", "--pid", pid, "-o", self.db(), "--duration", 1)
        self.assertOneLineError(r, str(pid), "no such process")
        self.assertEqual(r.returncode, 1)
        self.assertFalse(os.path.exists(self.db()), "no empty recording is left behind")

    def test_not_a_python_process(self):
        p = subprocess.Popen(["sleep", "60"])
        try:
            r = gcscope("record", "--pid", p.pid, "-o", self.db(), "--duration", 1)
            self.assertOneLineError(r, str(p.pid), "not a Python process")
            self.assertEqual(p.poll(), None, "the process is left alone")
        finally:
            p.kill()
            p.wait()

    def test_a_forced_agent_form_that_does_not_fit_is_refused_by_name(self):
        label, python = PYTHONS[0]
        t = self.start(python, "sleeper.py")
        version = [p for p in json.loads(gcscope("ps", "--json").stdout) if p["pid"] == t.pid][0]["python"]
        for form, needle in (("py315", "the agent form py315 does not fit CPython " + version),
                             ("nonsense", "the agent form nonsense is not part of this gcscope")):
            with self.subTest(form=form):
                r = gcscope("--agent-form", form, "snapshot", "--pid", t.pid, "-o", self.db())
                self.assertOneLineError(r, str(t.pid), needle)
                self.assertFalse(os.path.exists(self.db()))
        self.assertTrue(t.alive(), "the target is left alone")
        # The form that fits, forced, attaches.
        r = gcscope("--agent-form", "py311", "snapshot", "--pid", t.pid, "-o", self.db())
        self.assertEqual(r.returncode, 0, r.stderr)

    @unittest.skipIf(PTRACE, PTRACE or "")
    def test_an_agent_replaced_since_an_earlier_attach_is_refused_by_name(self):
        """gcscope upgraded or rebuilt while a program still holds the agent an earlier attach loaded
        (it stays mapped after detach): the loader would hand back the old copy."""
        label, python = PYTHONS[0]
        folder = os.path.join(self.tmp, "agent")
        os.mkdir(folder)
        for f in agent_files():
            shutil.copy2(f, folder)
        env = dict(os.environ, GCSCOPE_AGENT=folder)
        t = self.start(python, "sleeper.py")

        def snapshot(name):
            return gcscope("snapshot", "--pid", t.pid, "-o", self.db(name), env=env)

        r = snapshot("first.db")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in os.listdir(folder):  # a new file under each name, as a package upgrade makes
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                data = f.read()
            os.remove(path)
            with open(path, "wb") as f:
                f.write(data)
        r = snapshot("second.db")
        self.assertOneLineError(r, str(t.pid), "already has an earlier libgcscope_agent_", "restart the process")
        self.assertEqual(r.returncode, 1)
        self.assertFalse(os.path.exists(self.db("second.db")))
        self.assertTrue(t.alive(), "the target is left alone")

    def test_zombie(self):
        p = subprocess.Popen([PYTHONS[0][1], "-c", "pass"])
        for _ in range(100):  # not reaped: it stays a zombie until wait()
            with open("/proc/%d/stat" % p.pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
            time.sleep(0.02)
        try:
            r = gcscope("record", "--pid", p.pid, "-o", self.db(), "--duration", 1)
            self.assertOneLineError(r, str(p.pid), "zombie")
        finally:
            p.wait()

    def test_stopped_process(self):
        t = self.start(PYTHONS[0][1], "sleeper.py", 0.2)
        os.kill(t.pid, 19)  # SIGSTOP
        try:
            started = time.monotonic()
            r = gcscope("record", "--pid", t.pid, "-o", self.db(), "--duration", 1)
            self.assertOneLineError(r, str(t.pid), "stopped")
            self.assertLess(time.monotonic() - started, 15)
        finally:
            os.kill(t.pid, 18)  # SIGCONT
        t.next_status()  # and it carries on

    @unittest.skipIf(os.geteuid() != 0, "needs root to run a process as another user")
    def test_process_of_another_user_is_refused(self):
        """gcscope running as nobody may not trace a root-owned Python."""
        if shutil.which("setpriv") is None:
            self.skipTest("setpriv (util-linux) is not installed")
        t = self.start(PYTHONS[0][1], "sleeper.py", 0.2)
        writable = os.path.join(self.tmp, "nobody")
        os.mkdir(writable)
        os.chown(writable, pwd.getpwnam("nobody").pw_uid, -1)
        out = os.path.join(writable, "nobody.db")
        r = gcscope("record", "--pid", t.pid, "-o", out, "--duration", 1, user="nobody")
        self.assertOneLineError(r, str(t.pid), "not permitted")
        self.assertTrue(t.alive())

    @unittest.skipIf(os.geteuid() != 0, "needs root to run a target as another user")
    def test_root_records_a_process_of_another_user(self):
        if PTRACE:
            self.skipTest(PTRACE)
        nobody = pwd.getpwnam("nobody")
        python = PYTHONS[0][1]
        self.skipUnlessReachableBy("nobody", *agent_files())  # the target loads the agent as nobody
        t = self.start(python, "busy.py", user="nobody")
        before = t.next_status()
        r = gcscope("record", "--pid", t.pid, "-o", self.db(), "--duration", 1, "--interval", 50)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreater(info_json(self.db())["samples"], 5)
        self.assertEqual(t.next_status()["callbacks"], before["callbacks"])
        self.assertEqual(os.stat("/proc/%d" % t.pid).st_uid, nobody.pw_uid)


class BadDatabases(TempDirTestCase):
    def make_recording_like_file(self):
        """A real gcscope file, made by `gcscope record` when ptrace works, else by the schema tool."""
        path = self.db("good.db")
        t = self.start(PYTHONS[0][1], "busy.py")
        r = gcscope("record", "--pid", t.pid, "-o", path, "--duration", 0.6, "--interval", 20)
        self.assertEqual(r.returncode, 0, r.stderr)
        return path

    def check_refused(self, path, *needles):
        existed = os.path.exists(path)
        before = digest(path) if existed else None
        listing = sorted(os.listdir(self.tmp))
        for args in (("info", path), ("info", path, "--json")):
            r = gcscope(*args)
            self.assertOneLineError(r, os.path.basename(path), *needles)
            self.assertEqual(r.returncode, 1)
        if existed:
            self.assertEqual(digest(path), before, "the file must not change")
        self.assertEqual(sorted(os.listdir(self.tmp)), listing, "no files may appear or vanish")

    def test_missing_file(self):
        self.check_refused(self.db("nope.db"), "no such file")

    def test_empty_file(self):
        open(self.db("empty.db"), "wb").close()
        self.check_refused(self.db("empty.db"), "empty file")

    def test_text_file(self):
        with open(self.db("notes.db"), "w") as f:
            f.write("these are my notes, not a database\n" * 50)
        self.check_refused(self.db("notes.db"), "not a SQLite database")

    def test_foreign_sqlite_database(self):
        con = sqlite3.connect(self.db("foreign.db"))
        con.execute("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)")
        con.execute("INSERT INTO customers(name) VALUES ('Ada')")
        con.commit()
        con.close()
        self.check_refused(self.db("foreign.db"), "not a gcscope database")
        # Recording into it is refused too, before anything is attached, and it stays intact.
        before = digest(self.db("foreign.db"))
        r = gcscope("record", "--pid", os.getpid(), "-o", self.db("foreign.db"), "--duration", 1)
        self.assertOneLineError(r, "foreign.db", "not a gcscope database")
        self.assertEqual(digest(self.db("foreign.db")), before)

    @unittest.skipIf(PTRACE, PTRACE or "")
    def test_truncated_recording(self):
        path = self.make_recording_like_file()
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.truncate(size // 2)
        self.check_refused(path, "truncated")

    @unittest.skipIf(PTRACE, PTRACE or "")
    def test_corrupt_recording(self):
        path = self.make_recording_like_file()
        con = sqlite3.connect(path)
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        con.close()
        self.assertGreater(os.path.getsize(path), 3 * page_size)
        with open(path, "r+b") as f:
            f.seek(page_size + 100)
            f.write(os.urandom(page_size * 2))
        self.check_refused(path, "corrupt")

    @unittest.skipIf(PTRACE, PTRACE or "")
    def test_newer_schema(self):
        path = self.make_recording_like_file()
        con = sqlite3.connect(path)
        con.execute("PRAGMA user_version = 99")
        con.commit()
        con.close()
        self.check_refused(path, "newer", "99")


class Usage(TempDirTestCase):
    def test_usage_errors_exit_2(self):
        for args in ([], ["record"], ["record", "--pid", "abc", "-o", "x.db"], ["info"], ["frobnicate"],
                     ["record", "--pid", "1", "-o", "x.db", "--interval", "0"], ["run", "-o", "x.db"]):
            with self.subTest(args=args):
                r = gcscope(*args)
                self.assertEqual(r.returncode, 2, (args, r.stderr))

    def test_version(self):
        r = gcscope("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^gcscope \d+\.\d+\.\d+")

    def test_run_a_missing_command(self):
        r = gcscope("run", "-o", self.db(), "--", "/nonexistent/program")
        self.assertOneLineError(r, "/nonexistent/program")
        self.assertEqual(r.returncode, 1)

    @unittest.skipIf(PTRACE, PTRACE or "")
    def test_run_a_program_that_is_not_python(self):
        r = gcscope("run", "-o", self.db(), "--", "sh", "-c", "exit 3")
        self.assertOneLineError(r, "exited with status 3")
        self.assertEqual(r.returncode, 1)


class Discovery(TempDirTestCase):
    def test_ps_lists_both_pythons_with_versions(self):
        import json
        targets = [self.start(p, "sleeper.py", 0.5) for _, p in PYTHONS]
        r = gcscope("ps", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = {p["pid"]: p for p in json.loads(r.stdout)}
        for t, (_, python) in zip(targets, PYTHONS):
            self.assertIn(t.pid, rows)
            row = rows[t.pid]
            expected = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                                      capture_output=True, text=True).stdout.strip()
            self.assertEqual(row["python"], expected)
            self.assertEqual(row["attachable"], PTRACE is None, row)
        text = gcscope("ps")
        self.assertEqual(text.returncode, 0)
        self.assertIn(str(targets[0].pid), text.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
