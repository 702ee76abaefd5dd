"""A deterministic local replica of the Chinese government web.

Four hand-built TRS WCM portals (replica.sites), and every other source of the registry served
in its CMS family's markup and behaviour (replica.families, per spiders/adapters/FAMILIES.md).
Start one in a background thread with ReplicaThread, or on your own loop with Replica.start;
`python -m replica` serves one in the foreground.
"""

from replica.background import ReplicaThread
from replica.faults import FaultKind
from replica.server import Replica

__all__ = ["FaultKind", "Replica", "ReplicaThread"]
