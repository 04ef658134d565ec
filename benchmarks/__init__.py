"""``make bench``: our Typst PDF route against Sphinx's ``latexpdf`` (xelatex) on a generated book.

* :mod:`benchmarks.generate` writes a book of N pages (sections, paragraphs, lists,
  code, a citation, an admonition, a table and a card grid on every page);
* :mod:`benchmarks.measure` runs one command in a child process and reports its wall
  time and peak memory (``ru_maxrss`` of the largest process it waited for);
* :mod:`benchmarks.phases` builds our PDF in-process and times where it goes
  (Sphinx read, Typst writing, Typst compile);
* ``python -m benchmarks`` ties them together and prints the tables.

TeX is never part of ``make book``: the benchmark installs ``texlive-xetex`` and friends
with ``apt-get`` only when ``xelatex`` is missing (and ``--no-latex`` skips it).
"""
