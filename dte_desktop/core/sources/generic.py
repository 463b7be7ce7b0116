"""Any SQLAlchemy URL without a dedicated module: best effort.

Discovery through the inspector, types through the SQLAlchemy -> Arrow mapping (unknown
types read as text, with a note), one slice per table (no engine-neutral way to split a table
into disjoint ranges), no row estimates (catalogs differ too much). Raw queries get their
Arrow types from the values of the first batch.
"""

from __future__ import annotations

from typing import ClassVar

from dte_desktop.core.sources.base import Capabilities
from dte_desktop.core.sources.kind import SourceKind
from dte_desktop.core.sources.sqla_common import SQLASource


class GenericSource(SQLASource):
    # Serves any URL no other kind claims: quoted by the engine's own preparer.
    kind: ClassVar[SourceKind] = SourceKind(
        "generic", "Other SQLAlchemy URL", (), form="url", order=99
    )
    scheme: ClassVar[str] = kind.key
    capabilities: ClassVar[Capabilities] = Capabilities(
        can_partition=False, can_share_snapshot=False, can_cancel=False, has_schemas=True
    )
