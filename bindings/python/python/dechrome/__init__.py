"""dechrome: strip publisher chrome from plain-text articles.

The native core (:mod:`dechrome._dechrome`, written in Rust) compiles a :class:`PatternSet`
once and cleans with a :class:`Cleaner`; :meth:`Cleaner.clean_batch` releases the GIL and runs
on all cores. :mod:`dechrome.pipeline` wraps it as steps for corpus-building pipelines.

>>> from dechrome import Cleaner
>>> text, removals = Cleaner().clean("The council met.\\nAdvertisement\\nIt voted.\\n")
>>> text
'The council met.\\nIt voted.\\n'
>>> removals
[Removal(rule_id='generic.ad.marker', family='ad', scope='line', start=17, end=31)]

A text the removal guard refuses comes back unchanged with a :class:`RefusedWarning` (see
:mod:`warnings`); ``Cleaner(..., on_refusal="ignore")`` turns the warning off, and
:meth:`Cleaner.inspect` gives the verdict.
"""

from dechrome._dechrome import (
    DEFAULT_MAX_REMOVAL,
    Cleaner,
    Outcome,
    PatternError,
    PatternSet,
    RefusedWarning,
    Removal,
    Rule,
    __version__,
)
from dechrome.pipeline import CleanStep, clean_text

__all__ = [
    "DEFAULT_MAX_REMOVAL",
    "Cleaner",
    "CleanStep",
    "Outcome",
    "PatternError",
    "PatternSet",
    "RefusedWarning",
    "Removal",
    "Rule",
    "clean_text",
    "__version__",
]
