"""Sub-commands of ``mhhs-sec`` (see :mod:`mhhs_sec.cli`)."""
