"""A deterministic local replica of Chinese government portals (TRS WCM static CMS markup).

Start one in a background thread with ReplicaThread, or on your own loop with Replica.start;
`python -m replica` serves one in the foreground.
"""

from replica.background import ReplicaThread
from replica.faults import FaultKind
from replica.server import Replica

__all__ = ["FaultKind", "Replica", "ReplicaThread"]
