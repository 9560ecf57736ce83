"""An independent DSP / S1SP test double speaking the conformance adapter
protocol (``docs/adapter-protocol.md``), written from the documents only:
the adapter protocol, the vector format, the timing rules, the code and rules
tables, the protocol schemas, the architecture's "Decisions where the sources
leave room", the requirement catalogue and the source documents.
It imports nothing from ``mhhs_sec``.  Run it as ``python -m tests.independent``
from the repository root; ``GAPS.md`` lists where the documents were not
enough to decide."""
