"""The Typst compile in a child process (press.typst.worker) and the join of compiled pieces
(press.typst.merge): same PDF bytes as in-process, errors and warnings as typst's own, the
child gone after the build (kept by ``press serve``), one valid tagged PDF from pieces."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
import typst

from press.typst.worker import Worker

BOOK = '#set document(title: "Worker")\n#set text(lang: "en")\n' + "\n\n".join(
    f"= Chapter {n}\n\nWords in a tagged paragraph. " * 3 for n in range(1, 4)) + '\n#metadata("here") <m>\n'


def _book(tmp_path: Path, text: str = BOOK, name: str = "book.typ") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_same_pdf_as_in_process_and_the_child_is_gone_after_the_build(tmp_path):
    source = _book(tmp_path)
    expected = typst.Compiler(root=str(tmp_path)).compile_with_warnings(
        input=str(source), format="pdf", timestamp=1795564800, pdf_standards=["ua-1"])[0]
    worker = Worker(str(tmp_path), [])
    pdf, warnings = worker.compile_with_warnings(input=str(source), format="pdf", timestamp=1795564800,
                                                 pdf_standards=["ua-1"])
    assert pdf == expected and warnings == []
    assert worker.query("<m>", field="value", one=True) == '"here"'  # the page map's query
    child = worker.proc
    assert child is not None and child.poll() is None
    worker.done()
    assert worker.proc is None
    assert child.wait(timeout=30) == 0  # it exits: the layout's memory is the system's again


def test_press_serve_keeps_the_compile_process(tmp_path):
    source = _book(tmp_path)
    worker = Worker(str(tmp_path), [], keep=True)
    worker.compile_with_warnings(input=str(source), format="pdf", timestamp=0, pdf_standards=["ua-1"])
    first = worker.proc
    worker.done()
    source.write_text(BOOK + "\n\nAn edit.", encoding="utf-8")
    worker.compile_with_warnings(input=str(source), format="pdf", timestamp=0, pdf_standards=["ua-1"])
    assert worker.proc is first and first.poll() is None  # the same compiler: incremental
    worker.close()
    assert first.wait(timeout=30) == 0


def test_errors_and_warnings_keep_typsts_fields(tmp_path):
    bad = _book(tmp_path, "#let x = \n#foo(", "bad.typ")
    worker = Worker(str(tmp_path), [])
    with pytest.raises(typst.TypstError) as caught:
        worker.compile_with_warnings(input=str(bad), format="pdf", timestamp=0, pdf_standards=["ua-1"])
    assert caught.value.message == "expected expression"
    assert "bad.typ:1:" in caught.value.diagnostic and caught.value.hints == [] and caught.value.trace == []
    warned = _book(tmp_path, '#set document(title: "W")\n#set text(lang: "en")\n#text(font: "Nope")[hi]', "w.typ")
    _, warnings = worker.compile_with_warnings(input=str(warned), format="pdf", timestamp=0, pdf_standards=["ua-1"])
    assert [w.message for w in warnings] == ["unknown font family: nope"]
    assert isinstance(warnings[0], typst.TypstWarning) and "w.typ:3:" in warnings[0].diagnostic
    worker.done()


def test_pieces_join_into_one_tagged_pdf(tmp_path):
    """press.typst.merge: the pages, one structure tree, one outline, page labels continuing,
    a ``press:`` link pointed at its place, the PDF/UA checks, the same bytes twice."""
    import pdfua

    pieces = []
    for n, start in ((1, 1), (2, 4)):
        text = (f'#set document(title: "Joined")\n#set text(lang: "en")\n#set page(numbering: "1")\n'
                f"#counter(page).update({start})\n= Piece {n}\n\n" + "Words. " * 400
                + ('\n\n#link("press:c1")[back to the first piece]' if n == 2 else "")
                + "\n\n#table(columns: 2, table.header[A][B], [1], [2])\n")
        source = _book(tmp_path, text, f"piece{n}.typ")
        (tmp_path / f"piece{n}.pdf").write_bytes(typst.compile(str(source), format="pdf", pdf_standards=["ua-1"]))
        pieces.append(str(tmp_path / f"piece{n}.pdf"))
    merger = Path(__file__).resolve().parent.parent / "press" / "typst" / "merge.py"
    anchors = tmp_path / "anchors.json"
    anchors.write_text('{"c1": [0, 100.0]}', encoding="utf-8")
    for out in ("a.pdf", "b.pdf"):
        subprocess.run([sys.executable, "-I", str(merger), "--anchors", str(anchors), str(tmp_path / out), *pieces],
                       check=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    joined = (tmp_path / "a.pdf").read_bytes()
    assert joined == (tmp_path / "b.pdf").read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(joined))
    counts = [len(pypdf.PdfReader(p).pages) for p in pieces]
    assert len(reader.pages) == sum(counts)
    assert reader.page_labels == [str(1 + i) for i in range(counts[0])] + [str(4 + i) for i in range(counts[1])]
    assert [o.title for o in reader.outline] == ["Piece 1", "Piece 2"]
    assert reader.get_destination_page_number(reader.outline[1]) == counts[0]
    links = [a.get_object() for p in reader.pages for a in p.get("/Annots", [])]
    back = [a for a in links if "/Dest" in a and a["/Dest"][0] == reader.pages[0].indirect_reference]
    assert back and not [a for a in links if "/A" in a and str(a["/A"].get("/URI", "")).startswith("press:")]
    report = pdfua.validate(str(tmp_path / "a.pdf"))
    assert [(f.rule_id, f.message) for f in report.findings if f.severity.name in ("ERROR", "WARNING")] == []
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    document = root["/K"][0] if isinstance(root["/K"], pypdf.generic.ArrayObject) else root["/K"]
    headings = [k.get_object()["/S"] for k in document.get_object()["/K"]
                if k.get_object()["/S"].startswith("/H")]
    assert len(headings) == 2  # both pieces' headings in the one Document element


def test_the_compile_process_ends_with_the_build_even_if_a_fork_holds_its_input(tmp_path):
    """A kept compile process (press serve) exits when the build's process dies, although a
    process the build forked (sphinx-sitemap's manager) still holds its input open."""
    import signal
    import time

    source = _book(tmp_path)
    code = f"""
import os, sys, time
from press.typst.worker import Worker
w = Worker({str(tmp_path)!r}, [], keep=True)
w.compile_with_warnings(input={str(source)!r}, format="pdf", timestamp=0, pdf_standards=["ua-1"])
print(w.proc.pid, flush=True)
if os.fork() == 0:  # a forked helper that outlives the build and holds the pipes
    print(os.getpid(), flush=True)
    os.close(1)
    os.close(2)
    time.sleep(60)
    os._exit(0)
os._exit(0)  # the build dies without closing anything
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    worker, helper = (int(x) for x in proc.stdout.split()[:2])
    deadline = time.monotonic() + 20
    ended = False
    while not ended and time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
            time.sleep(0.2)
        except ProcessLookupError:
            ended = True
    if not ended:
        os.kill(worker, signal.SIGKILL)
    os.kill(helper, signal.SIGKILL)
    assert ended, "the compile process outlived the build"


def test_a_fork_beside_a_compile_process_neither_hangs_its_start_nor_keeps_its_input(tmp_path):
    """press.typst.worker._Spawning: a process another thread forks without exec
    (sphinx-sitemap's multiprocessing Manager at an application's builder-inited) while a
    compile process starts kept a copy of the pipe ``subprocess.Popen`` waits on, and an edit
    build hung for good.  A fork now waits while press starts a process, and a forked child
    closes the compile processes' pipes: a compile process ends when the build closes its
    input even while such a child lives."""
    import threading
    import time

    from press.typst import worker as worker_module

    spawning = worker_module._SPAWNING
    held = threading.Event()

    def hold():
        with spawning.lock:  # as start() holds it while Popen waits for the exec
            held.set()
            time.sleep(0.5)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    began = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    waited = time.monotonic() - began
    os.waitpid(pid, 0)
    thread.join()
    assert waited >= 0.3, waited

    # the parent's hooks run no Python code: a Python function would take a pending Ctrl-C
    # as its KeyboardInterrupt, which a fork hook swallows (the build then ran to its end)
    import types

    assert all(isinstance(h, types.BuiltinMethodType) for h in spawning.hooks)
    # a forked child forks in turn (the web book's process starting sitemap's Manager): the
    # lock it inherited held is released in it, so its own fork does not wait forever
    pid = os.fork()
    if pid == 0:
        grandchild = os.fork()
        if grandchild == 0:
            os._exit(0)
        os._exit(os.waitstatus_to_exitcode(os.waitpid(grandchild, 0)[1]))
    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("a fork in a forked child hung on the lock it inherited")

    worker = Worker(str(tmp_path), [])
    worker.compile_with_warnings(input=str(_book(tmp_path)), format="pdf")
    child = worker.proc
    assert child is not None
    pid = os.fork()
    if pid == 0:  # the Manager: lives on, holding whatever it inherited
        try:
            os.fstat(child.stdin.fileno())
            os._exit(1)  # the pipe to the compile process is still open here
        except OSError:
            time.sleep(5)
            os._exit(0)
    try:
        worker.close()
        assert child.wait(timeout=3) == 0  # it saw the end of its input
    finally:
        alive = os.waitpid(pid, os.WNOHANG)
        if alive == (0, 0):
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        else:
            assert alive[1] == 0, "the forked child still had the compile process's input open"
