"""gcscope's own process: huge pages for its big arrays (util/huge_pages.h), asked for by starting
itself again with glibc.malloc.hugetlb=1, and the environment the programs it starts see, which must
be the user's own."""
import json
import os
import platform
import unittest

from gcs_testlib import PYTHONS, TempDirTestCase, gcscope, ptrace_problem

PTRACE = ptrace_problem()


def kernel_setting():
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            line = f.read()
    except OSError:
        return None
    return line[line.index("[") + 1:line.index("]")] if "[" in line else None


def glibc_at_least(major, minor):
    name, version = platform.libc_ver()
    if name != "glibc" or not version:
        return False
    got = tuple(int(x) for x in version.split(".")[:2])
    return got >= (major, minor)


KERNEL = kernel_setting()
MADVISE_PROBLEM = None
if KERNEL != "madvise":
    MADVISE_PROBLEM = "transparent huge pages are %s here, not madvise" % (KERNEL or "absent")
elif not glibc_at_least(2, 35):
    MADVISE_PROBLEM = "glibc %s has no glibc.malloc.hugetlb" % platform.libc_ver()[1]


def doctor(**env):
    full = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "GCSCOPE_HUGE_PAGES")}
    full.update(env)
    r = gcscope("doctor", "--json", env=full)
    if r.returncode != 0:
        raise AssertionError("gcscope doctor failed: " + r.stderr)
    return json.loads(r.stdout)["huge_pages"]


class HugePages(unittest.TestCase):
    @unittest.skipIf(MADVISE_PROBLEM, MADVISE_PROBLEM or "")
    def test_big_blocks_get_huge_pages(self):
        pages = doctor()
        self.assertEqual(pages["mode"], "asked", pages)
        self.assertEqual(pages["kernel"], "madvise")
        # Of the 8 MiB block, the 2 MiB-aligned stretches inside it: at least two.
        self.assertGreaterEqual(pages["test_block_huge_bytes"], 4 << 20, pages)

    @unittest.skipIf(MADVISE_PROBLEM, MADVISE_PROBLEM or "")
    def test_turned_off(self):
        pages = doctor(GCSCOPE_HUGE_PAGES="0")
        self.assertEqual(pages["mode"], "off", pages)
        self.assertIn("GCSCOPE_HUGE_PAGES=0", pages["detail"])
        self.assertEqual(pages["test_block_huge_bytes"], 0, pages)

    @unittest.skipIf(MADVISE_PROBLEM, MADVISE_PROBLEM or "")
    def test_the_users_own_setting_is_left_alone(self):
        pages = doctor(GLIBC_TUNABLES="glibc.malloc.hugetlb=0")
        self.assertEqual(pages["mode"], "user-set", pages)
        self.assertEqual(pages["test_block_huge_bytes"], 0, pages)
        # Other tunables of the user's are kept and added to.
        pages = doctor(GLIBC_TUNABLES="glibc.malloc.check=0")
        self.assertEqual(pages["mode"], "asked", pages)
        self.assertGreaterEqual(pages["test_block_huge_bytes"], 4 << 20, pages)

    def test_the_mode_is_always_explained(self):
        pages = doctor()
        self.assertIn(pages["mode"], ("asked", "kernel-always", "user-set", "off", "unavailable"))
        self.assertTrue(pages["detail"])
        self.assertEqual(pages["kernel"], KERNEL)


class TargetEnvironment(TempDirTestCase):
    """`gcscope run` starts the target with the environment gcscope was given: neither the
    tunable gcscope asked for itself nor the variable it used to undo it reach the target."""

    @unittest.skipIf(PTRACE, PTRACE or "")
    def test_run_passes_the_users_environment(self):
        script = os.path.join(self.tmp, "envdump.py")
        with open(script, "w") as f:
            f.write("import json, os, sys, time\n"
                    "with open(sys.argv[1], 'w') as f:\n"
                    "    seen = {k: v for k, v in os.environ.items() if k.startswith(('GLIBC', 'GCSCOPE'))}\n"
                    "    seen['parent'] = open('/proc/%d/comm' % os.getppid()).read().strip()\n"
                    "    json.dump(seen, f)\n"
                    "time.sleep(1.5)\n")
        python = PYTHONS[0][1]
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("GLIBC") and k not in ("GCSCOPE_HUGE_PAGES", "GCSCOPE_HUGE_PAGES_RESTORE")}
        for given in ({}, {"GLIBC_TUNABLES": "glibc.malloc.check=0"}, {"GCSCOPE_HUGE_PAGES": "0"}):
            with self.subTest(given=given):
                out = os.path.join(self.tmp, "env-%d.json" % len(os.listdir(self.tmp)))
                env = dict(base, **given)
                r = gcscope("run", "-o", self.db(), "--duration", "1", "--", python, script, out, env=env)
                self.assertEqual(r.returncode, 0, r.stderr)
                with open(out) as f:
                    seen = json.load(f)
                # Started again, gcscope keeps its name (ps, top and pgrep find "gcscope").
                self.assertEqual(seen.pop("parent"), "gcscope")
                ours = ("GLIBC_TUNABLES", "GCSCOPE_HUGE_PAGES", "GCSCOPE_HUGE_PAGES_RESTORE")
                self.assertEqual({k: v for k, v in seen.items() if k in ours}, given)


if __name__ == "__main__":
    unittest.main(verbosity=2)
