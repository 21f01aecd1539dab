"""Training and evaluating the input guard's classifier and detector stages
(`python -m training.input_guards.train`, `python -m training.input_guards.evaluate`) and the
evaluation sets written for them. What serving reads is in `keepgate/input_guards/` (the
code) and `rules/classifier/` (the weights)."""
