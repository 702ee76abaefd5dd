"""Faults of the environment (database, disk) as one line naming what is at fault.

A database that is down, missing or refuses us, a data folder that cannot be written, a full
disk: the user can act on each, so each is one line naming the URL, file or folder, with exit
code 2, never a traceback. Faults of our own code still raise with their traceback.
"""

from __future__ import annotations

import errno

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError

# OSErrors that the environment causes, not our code.
_ENVIRONMENT_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.ENOENT,
    errno.EEXIST,
    errno.ENAMETOOLONG,
    errno.ELOOP,
    errno.EIO,
}


def describe_fault(exc: BaseException, database_url: str | None) -> str | None:
    """One line for a fault of the environment, or None for anything else (a bug)."""
    if isinstance(exc, DBAPIError | NoSuchModuleError):
        return f"database {_shown(database_url)}: {_reason(exc)}"
    if isinstance(exc, SQLAlchemyError) and "unable to open database" in str(exc):
        return f"database {_shown(database_url)}: {_reason(exc)}"
    if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
        where = exc.filename if exc.filename is not None else "a file"
        return f"{where}: {exc.strerror or exc}"
    return None


def _shown(url: str | None) -> str:
    """The URL with any password hidden."""
    if not url:
        return "(none)"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not parseable: shown as given
        return url


def _reason(exc: BaseException) -> str:
    """The driver's own first line (``connection refused``, ``database "x" does not exist``)."""
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    text = lines[0] if lines else type(original).__name__
    if "unable to open database file" in text:
        text += " (its folder must exist and be writable)"
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        text += "; run `govwatch db upgrade`"
    return text[:300]
