"""Errors a person can act on (issue 22): configuration mistakes are one ``conf.py:LINE`` line
with the allowed values and a did-you-mean; no book is one line and writes nothing; ``press new``
quotes what it writes and prints commands that paste; ``press serve`` finds a port before it
builds; colours only on a terminal; unknown front matter keys warn; ``-q`` is quiet."""

from __future__ import annotations

import ast
import io
import runpy
import shlex
import socket

import pytest

from conftest import run_press
from press import cli
from press.frontmatter import parse, unknown_keys
from press.progress import Progress, colour_wanted


@pytest.fixture
def book(tmp_path):
    made = run_press("new", "book", "--title", "Test", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    return tmp_path / "book"


def _append(book, text):
    conf = book / "conf.py"
    conf.write_text(conf.read_text() + text)
    return len(conf.read_text().splitlines())


@pytest.mark.parametrize(("setting", "expected"), [
    ('press_pdf_papr = "a4"', "press_pdf_papr is not a press setting (did you mean 'press_pdf_paper'?) [press.config]"),
    ('press_pdf_paper = "a5"', "press_pdf_paper = 'a5' is not allowed: choose one of 'a4', 'us-letter', '6x9'"),
    ('press_raw_html = "sanitise"', "choose one of 'sanitize', 'allow', 'drop' (did you mean 'sanitize'?)"),
    ("press_authors = 'Jane'", "press_authors must be a list of str"),
    ('extensions += ["nonexistent_ext"]', "extension 'nonexistent_ext' cannot be imported (No module named"),
    ('press_slug = "x', "syntax error in conf.py: unterminated string literal"),
])
def test_a_configuration_mistake_is_one_line_at_its_conf_py_line(book, setting, expected):
    line = _append(book, f"\n{setting}\n")
    proc = run_press("build", "html", cwd=book)
    assert proc.returncode != 0
    errors = [x for x in proc.stderr.splitlines() if x.strip()]
    assert errors[0] == f"conf.py:{line}: ERROR: " + errors[0].split(": ERROR: ", 1)[1], errors
    assert expected in errors[0], errors
    text = proc.stdout + proc.stderr
    for crash in ("Configuration error!", "Traceback", "open an issue", "full traceback"):
        assert crash not in text, text
    assert not (book / "_build" / "html").exists()


def test_two_mistakes_are_two_lines_in_conf_py_order(book):
    first = _append(book, '\npress_pdf_paper = "a5"\n')
    second = _append(book, 'press_slugg = "x"\n')
    proc = run_press("build", "html", cwd=book)
    lines = [x for x in proc.stderr.splitlines() if "[press.config]" in x]
    assert [x.split(":")[1] for x in lines] == [str(first), str(second)], proc.stderr


@pytest.mark.book  # (press build, though nothing is built)
def test_no_book_is_one_line_and_leaves_nothing_behind_for_press_new(tmp_path):
    proc = run_press("build", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"press: no book in {tmp_path}") and "`press new .`" in lines[0]
    assert list(tmp_path.iterdir()) == []  # no _build/.press/
    again = run_press("new", ".", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "conf.py").is_file() and "  cd " not in again.stdout


def test_press_new_works_in_a_git_only_folder(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    proc = run_press("new", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "conf.py").is_file() and (tmp_path / ".git" / "HEAD").is_file()


def test_press_new_quotes_what_it_writes_and_prints_commands_that_paste(tmp_path):
    title, author = 'The "Quoted" \\ Book', "Flann O'Brien"
    proc = run_press("new", "Second Book", "--title", title, "--author", author, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "Second Book"
    conf = (root / "conf.py").read_text(encoding="utf-8")
    ast.parse(conf)
    values = runpy.run_path(str(root / "conf.py"))
    assert values["project"] == title and values["author"] == author and author in values["copyright"]
    assert f"  cd {shlex.quote('Second Book')}" in proc.stdout.splitlines()
    import yaml

    front = (root / "source" / "index.md").read_text(encoding="utf-8").split("---")[1]
    assert yaml.safe_load(front)["title"] == title


def test_press_new_refuses_a_title_of_two_lines(tmp_path):
    proc = run_press("new", "b", "--title", "one\ntwo", cwd=tmp_path)
    assert proc.returncode == 2 and "one line" in proc.stderr and not (tmp_path / "b").exists()


def test_serve_says_a_busy_port_before_building(book):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_press("serve", "--port", str(port), cwd=book, timeout=60)
    assert proc.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in proc.stderr and f"--port {port + 1}" in proc.stderr
    assert "Traceback" not in proc.stderr and not (book / "_build").exists()  # nothing was built


def test_serve_without_port_takes_the_next_free_one():
    from press.serve import bind

    taken = []
    try:
        for _ in range(2):
            sock = bind("127.0.0.1", None, object)
            assert not isinstance(sock, str)
            taken.append(sock)
        assert taken[1].server_address[1] > taken[0].server_address[1] >= 8000
    finally:
        for sock in taken:
            sock.server_close()


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize(("tty", "env", "wanted"), [
    (True, {"TERM": "xterm"}, True),
    (False, {"TERM": "xterm"}, False),  # piped
    (True, {"TERM": "xterm", "NO_COLOR": "1"}, False),
    (True, {"TERM": "xterm", "CI": "true"}, False),
    (True, {"TERM": "dumb"}, False),
    (False, {"FORCE_COLOR": "1"}, True),
])
def test_colours_only_on_a_terminal(tty, env, wanted):
    assert colour_wanted(_Stream(tty), env) is wanted


def test_piped_build_output_has_no_escape_codes(book):
    _append(book, '\npress_pdf_paper = "a5"\n')
    proc = run_press("build", "html", cwd=book)  # (run_press sets NO_COLOR; the pipe alone must do)
    assert "\x1b[" not in proc.stdout + proc.stderr


def test_unknown_front_matter_keys_warn_with_did_you_mean():
    text = "---\ntitle: T\nwieght: 3\ntag: [a]\nmy_key: 1\nmyst: {}\n---\n"
    lines = text.split("\n")
    found = unknown_keys(parse(text), lines)
    assert [(line, m.split(";")[0]) for m, line in found] == [
        (3, "unknown front matter key 'wieght' (did you mean 'weight'?)"),
        (4, "unknown front matter key 'tag' (did you mean 'tags'?)"),
        (5, "unknown front matter key 'my_key'"),
    ]
    assert unknown_keys(parse(text), lines, ["my_key", "wieght", "tag"]) == []


def test_quiet_prints_nothing_but_problems(monkeypatch, capsys):
    def fake(*args, **kwargs):
        print("press: built everything")
        return 0

    monkeypatch.setattr("press.engine.build_book", fake)
    assert cli.main(["build", "-q"]) == 0
    assert capsys.readouterr().out == ""
    assert cli.main(["build"]) == 0
    assert "built everything" in capsys.readouterr().out


def test_verbose_reaches_the_engine(monkeypatch):
    calls = []
    monkeypatch.setattr("press.engine.build_book", lambda *a, **k: calls.append(k) or 0)
    assert cli.main(["build", "html", "-vv"]) == 0
    assert calls == [{"strict": True, "verbosity": 2}]


def test_progress_prints_plain_lines_at_most_every_interval_off_a_terminal():
    import time

    out = _Stream(False)
    progress = Progress(out, live=False, every=0.2)
    progress.start()
    progress.set("pdf: writing")
    for _ in range(5):
        progress.step()
    assert out.getvalue() == ""  # a short phase says nothing (the engine's lines do)
    time.sleep(0.7)
    progress.stop()
    lines = out.getvalue().splitlines()
    assert 1 <= len(lines) <= 4 and lines[0].startswith("press: pdf: writing 5"), lines


def test_progress_live_line_is_rewritten_on_a_terminal():
    out = _Stream(True)
    progress = Progress(out, live=True)
    progress.set("reading pages", 0, 3)
    progress.step()
    progress.clear()
    assert "\r\x1b[Kpress: reading pages" in out.getvalue() and "\n" not in out.getvalue()


@pytest.mark.book
def test_pdf_design_file_replaces_a_press_function(book):
    import pypdf

    (book / "design.typ").write_text(
        '#import "press-book.typ": *\n'
        '#let press-pagemeta(description: "", date: "", tags: ()) = block([Designed: #description])\n')
    _append(book, '\npress_pdf_design = "design.typ"\n')
    proc = run_press("build", "pdf", cwd=book)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pdf = next((book / "_build" / "pdf").glob("*.pdf"))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert text.count("Designed:") >= 3  # one standfirst per page with a description
    line = _append(book, 'press_pdf_design = "missing.typ"\n')
    missing = run_press("build", "pdf", cwd=book)
    assert missing.returncode != 0 and f"conf.py:{line}: ERROR: press_pdf_design = 'missing.typ': cannot read" in missing.stderr


def test_a_reference_error_names_the_references_line_not_the_paragraphs(book):
    page = book / "source" / "getting-started" / "late.md"
    page.write_text("---\ntitle: Late\n---\n\nA paragraph\nthat runs on\nto [a link](nope.md) here.\n")
    proc = run_press("build", "html", cwd=book)
    assert proc.returncode != 0
    assert "late.md:7: ERROR: cross-reference target not found: 'nope.md' (did you mean 'index.md'?) [press.reference]" in proc.stderr, proc.stderr


def test_a_forked_process_never_waits_on_the_progress_lock():
    """Sphinx's parallel readers are forked while the progress heartbeat may hold its lock: in
    the child the lock is a new one and nothing is drawn (a reader counting its page would
    otherwise wait forever on a lock no thread of its own will release)."""
    import io
    import os

    from press.progress import Progress

    out = io.StringIO()
    progress = Progress(stream=out, live=True)
    progress.set("pdf: reading", 0, 10)
    before = out.getvalue()
    progress._lock.acquire()  # as the heartbeat thread may hold it at the fork
    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only if it could count a page and drew nothing
        ok = progress._lock.acquire(timeout=2)
        progress._lock.release()
        progress.step()
        os._exit(0 if ok and not progress.live and out.getvalue() == before else 1)
    progress._lock.release()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
