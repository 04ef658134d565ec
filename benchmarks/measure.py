"""Run one command in a child process; print JSON ``{"wall": s, "cpu": s, "maxrss_mb": MB, "status": n}``.

``python -m benchmarks.measure -- CMD ...``.  Peak memory is ``ru_maxrss`` of
``RUSAGE_CHILDREN``: the largest resident set of any process the command waited
for (for ``latexpdf`` that is the biggest of Sphinx, latexmk and xelatex).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    started = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024,
                      "status": proc.returncode, "stderr": proc.stderr[-2000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
