"""Type stubs of the native module (written in Rust with PyO3)."""

import os
from collections.abc import Iterable, Sequence
from typing import Literal, final

_Scope = Literal["line", "sentence", "block", "tail"]
_Verdict = Literal["unchanged", "cleaned", "refused"]
_OnRefusal = Literal["warn", "ignore"]

__all__ = [
    "Cleaner",
    "DEFAULT_MAX_REMOVAL",
    "Outcome",
    "PatternError",
    "PatternSet",
    "RefusedWarning",
    "Removal",
    "Rule",
    "__version__",
]

__version__: str
"""The version of the package (that of the dechrome crate it is built from)."""

DEFAULT_MAX_REMOVAL: float
"""Share of a text's characters above which cleaning is refused, unless told otherwise."""

class PatternError(ValueError):
    """A pattern file is invalid; the message lists every problem with its file and line."""

class RefusedWarning(UserWarning):
    """Cleaner.clean returned a text unchanged because the removal guard refused it (see
    Cleaner.inspect)."""

@final
class Rule:
    """One rule of a pattern set."""

    @property
    def id(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def scope(self) -> _Scope: ...
    @property
    def publisher(self) -> str | None: ...
    @property
    def lang(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...

@final
class PatternSet:
    """A compiled, immutable set of rules, shared by any number of cleaners and threads."""

    @staticmethod
    def builtin(*, disable: Sequence[str] = ...) -> PatternSet:
        """The built-in rules, less disabled rule ids, packs (id prefixes) or families (none by
        default)."""
    @staticmethod
    def from_paths(
        paths: Sequence[str | os.PathLike[str]],
        *,
        builtin: bool = False,
        disable: Sequence[str] = ...,
    ) -> PatternSet:
        """Rules from pattern files and directories of ``*.toml`` files (plus the built-in
        rules when ``builtin``). Raises :class:`PatternError` or :class:`OSError`."""
    @staticmethod
    def from_toml(
        source: str,
        *,
        origin: str = ...,
        builtin: bool = False,
        disable: Sequence[str] = ...,
    ) -> PatternSet:
        """Rules from the text of one pattern file; ``origin`` (default ``"<string>"``) names it
        in errors."""
    def rules(self) -> list[Rule]:
        """Every rule, in the order of their files."""
    def __len__(self) -> int: ...

@final
class Removal:
    """What one rule removed: ``original[start:end]`` (offsets in characters)."""

    def __new__(cls, rule_id: str, family: str, scope: _Scope, start: int, end: int) -> Removal: ...
    @property
    def rule_id(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def scope(self) -> _Scope: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Outcome:
    """Everything about cleaning one text."""

    @property
    def text(self) -> str:
        """The cleaned text (the input when unchanged or refused)."""
    @property
    def removals(self) -> list[Removal]:
        """Every removal; for a refused text, what the rules would have removed."""
    @property
    def verdict(self) -> _Verdict: ...
    @property
    def removed_share(self) -> float:
        """Share of the text's characters the removals take, from 0 to 1."""
    @property
    def message(self) -> str | None:
        """Why the text was refused, worded as ``dechrome clean`` words it; None unless refused."""

@final
class Cleaner:
    """Cleans texts with one pattern set; thread-safe."""

    def __new__(
        cls,
        patterns: PatternSet | None = None,
        max_removal: float | None = None,
        *,
        on_refusal: _OnRefusal = "warn",
        publisher: str | None = None,
        model: bool | str | os.PathLike[str] | None = None,
    ) -> Cleaner:
        """``patterns`` defaults to the built-in set, ``max_removal`` to
        :data:`DEFAULT_MAX_REMOVAL`; a text whose removals would take a larger share of its
        paragraph text is refused and returned unchanged, with a :class:`RefusedWarning` from
        ``clean`` and ``clean_batch`` unless ``on_refusal`` is ``"ignore"``. ``publisher`` (a
        pack name, publisher name, host or URL) names the publisher of every text, so that only
        its packs apply; one that names no pack raises ValueError. ``model`` runs a line model
        after the rules: ``None`` or ``False`` (none, the default), ``True`` (the built-in one)
        or a model file's path."""
    @property
    def max_removal(self) -> float: ...
    @property
    def publisher(self) -> str | None: ...
    @property
    def model(self) -> bool:
        """Whether a line model runs after the rules."""
    @property
    def on_refusal(self) -> _OnRefusal: ...
    @property
    def patterns(self) -> PatternSet: ...
    def clean(self, text: str, *, publisher: str | None = None) -> tuple[str, list[Removal]]:
        """The cleaned text and the removals made (none when refused, which also emits a
        :class:`RefusedWarning` unless ``on_refusal="ignore"``). ``publisher`` names this text's
        publisher (such as its URL) in place of the cleaner's. Releases the GIL."""
    def inspect(self, text: str, *, publisher: str | None = None) -> Outcome:
        """Cleans one text and reports the verdict too."""
    def clean_batch(
        self, texts: Iterable[str], *, publishers: Iterable[str | None] | None = None
    ) -> list[tuple[str, list[Removal]]]:
        """Cleans many texts in parallel without the GIL; results in input order. Each refused
        text emits a :class:`RefusedWarning` unless ``on_refusal="ignore"``. ``publishers``, when
        given, names each text's publisher as ``clean`` takes it (None or a blank str: the
        cleaner's), one per text; a length that differs from ``texts`` raises ValueError."""
