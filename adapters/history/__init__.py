"""Historical funding files: the ``funding-history`` format and loaders for the research
datasets (see :mod:`adapters.history.format` and :mod:`adapters.history.loaders`)."""
