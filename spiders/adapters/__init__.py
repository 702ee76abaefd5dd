"""Site adapters, one per CMS family, registered by the name the source registry uses."""

from __future__ import annotations

from spiders.adapters.base import ADAPTERS, ListAdapter, ListItem, ListPage, register
from spiders.adapters.trs_static import TrsStaticAdapter

__all__ = ["ADAPTERS", "ListAdapter", "ListItem", "ListPage", "TrsStaticAdapter", "register"]
