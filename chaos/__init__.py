"""The chaos suite (`make chaos`): real processes, real faults, a table of what was lost or doubled.

Not part of `make test` (its testpaths is tests/). See README.md, "Chaos suite".
"""
