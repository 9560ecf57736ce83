"""Conformance vector generators: every expected output comes from
running the reference model (:mod:`mhhs_sec.model`); inputs come from the
rules' structure.

- :mod:`.boundary` (+ :mod:`.decision_defs`, :mod:`.decisions`, :mod:`.mcdc`):
  Z3 MC/DC pairs for each decision, checked against the model;
  :mod:`.registration_edges` and :mod:`.edges`: exact EFD / ETD / 25 h edges.
- :mod:`.cells`: every role x SRV x generation x mode x ForSettlement cell.
- :mod:`.classes`: Z3 equivalence-class witnesses, empty classes reported.
- :mod:`.walks`: Hypothesis random walks from fixed seeds, shrunk.
- :mod:`.negative`, :mod:`.targeted`, :mod:`.siblings`.
- :mod:`.run` writes ``vectors/`` (JSON + XML, :mod:`.xmlform`); :mod:`.check`
  is ``mhhs-sec generate --check``; :mod:`.coverage` the report and
  :func:`.coverage.trace_section` for ``docs/spec-trace.md``.
"""
