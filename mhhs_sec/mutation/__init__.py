"""Mutation analysis of the model (``mhhs-sec mutants``).

- :mod:`.operators`: the mutation points of a module's source, and applying one;
- :mod:`.runtime`: importing the model again in a worker, one module mutated,
  with a deterministic step budget on every loop;
- :mod:`.coverage`: the model lines each vector and the random walks execute;
- :mod:`.analysis`: each mutant against the vectors, then the random walks.
"""
