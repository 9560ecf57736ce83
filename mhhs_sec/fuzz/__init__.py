"""The fuzz harness: inputs made from the committed vectors and the protocol
schemas, mutated, fed to the codec, the model's ``step``, the stdio and HTTP
servers and the runner's reading side; each must end in a typed refusal or
an acceptance, never an untyped exception, a hang or unbounded memory
(``docs/architecture.md``, "Fuzzing"; ``benchmarks/fuzz.py`` counts them)."""
