"""The profiler's SQL spelling is the source's own: see ``core.sources.dialect`` (kept
here as a name so the profiling modules read the dialect from one place)."""

from dte_desktop.core.sources.dialect import Dialect, backtick, dialect_for, double_quote

__all__ = ["Dialect", "backtick", "dialect_for", "double_quote"]
