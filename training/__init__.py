"""Training and evaluation of the models Keepgate ships (the PII NER, the injection
classifier): code and data generators that run from a checkout and are not in the wheel.

The runtime package `keepgate` holds only what serving needs (the weights and the code that
reads them); `python -m training.<part>.<script>` from the repository's root rebuilds them.
Needs the `train` extra (`pip install -e '.[train]'`) and the shared data sets beside the
checkout (`../shared/datasets`).
"""

import keepgate  # noqa: F401 - the offline switches, before anything imports litellm/presidio
