"""Checks shared by the command-line tests (imported by tests/test_cli.py and tests/test_course_cli.py)."""


def ok(r):
    "Exit status 0; on failure show the command's stdout and stderr."
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    return r


def bad(r, contains):
    "Exit status 2, one line on stderr naming the problem, no traceback."
    assert r.returncode == 2, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    assert 'Traceback' not in r.stderr, r.stderr
    assert r.stderr.count('\n') == 1 and r.stderr.endswith('\n'), f"not one line: {r.stderr!r}"
    assert contains in r.stderr, f"{contains!r} not in {r.stderr!r}"
    return r
