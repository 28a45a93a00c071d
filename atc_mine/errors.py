"""Named exceptions: everything atc-mine raises on purpose derives from AtcMineError.

Modelled on requests' ``exceptions.py``: a small tree, so callers can catch as broadly or
as narrowly as they need, and the CLI can print any of them as one line. Third-party
exceptions (requests, lxml, sqlite3, json) are translated at the module that calls the
third party; nothing above it sees them.
"""

from __future__ import annotations


class AtcMineError(Exception):
    """Base class of every error atc-mine raises deliberately."""


class InputError(AtcMineError):
    """A path, option or file given by the user cannot be used."""


class DecisionFileError(InputError):
    """A file of curator decisions cannot be imported; ``errors`` lists each (location, message).

    Locations are what a curator can find: ``line 7`` of a CSV, ``row 7`` of a sheet, ``task 3``
    of a Label Studio export. Nothing of the file is written when this is raised.
    """

    #: How many problems the one-line message spells out before "and N more".
    SHOWN = 3

    def __init__(self, path: str, errors: list[tuple[str, str]]) -> None:
        self.path = path
        self.errors = list(errors)
        shown = "; ".join(f"{where}: {message}" for where, message in self.errors[: self.SHOWN])
        more = len(self.errors) - self.SHOWN
        super().__init__(f"{path}: {shown}" + (f" (and {more} more)" if more > 0 else ""))


class RecordParseError(AtcMineError):
    """A PubMed / ClinicalTrials.gov / text record is malformed."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


class SourceError(AtcMineError):
    """A remote source (E-utilities, ClinicalTrials.gov) failed."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class UpstreamError(SourceError):
    """The server answered with an error (HTTP status or an error body sent as HTTP 200)."""


class RateLimited(UpstreamError):
    """The server kept answering 429 after every retry."""


class PatternFileError(AtcMineError):
    """A lexicon or pattern data file does not follow its schema."""


class StoreError(AtcMineError):
    """The evidence base cannot be opened, migrated or written."""


class GoldSetError(AtcMineError):
    """A gold file is missing, invalid, or does not match its text."""
