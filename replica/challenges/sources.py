"""Which paths a challenge covers when it is put in front of a registry source.

Cookie challenges and captchas guard a whole site, as real ones do: every path on the host of
the source's entry URL (its other sources included). Script-built lists concern the source's
own list pages only; its documents stay plain HTML.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from replica.challenges import ChallengeKind, ListFilter
from replica.families.base import Column
from replica.families.call import Call

# Hand-built TRS columns: index.html, index_1.html … in the column's directory.
_TRS_LIST_FILE = re.compile(r"index(?:_[1-9][0-9]*)?\.html")

# The challenges the whole-replica crawl of ``bench/browser.py`` and the tests put in place:
# each kind once or twice, on hosts of different families (static TRS in GBK, generic lists,
# Hanweb POST paging, a JSON API), so that a crawl in ``auto`` mode meets every flow.
PRESET: dict[str, ChallengeKind] = {
    "gansu-policy": ChallengeKind.RUISHU,  # www.gansu.gov.cn: GBK TRS, JSON search, a list
    "jiangsu-policy": ChallengeKind.RUISHU,  # Hanweb: list pages after the first are POSTs
    "hebei-industry": ChallengeKind.JSL,
    "shaanxi-procurement": ChallengeKind.JSL,  # freecms: a GET JSON API
    "beijing-industry": ChallengeKind.JS_LIST,
    "tianjin-industry": ChallengeKind.JS_API,
    "ningxia-industry": ChallengeKind.CAPTCHA,  # no browser passes: reported as blocked
}


def site_prefix(entry_url: str) -> str:
    """``/{host}/``: the replica path prefix of the site a URL is on."""
    return f"/{urlsplit(entry_url).netloc.lower()}/"


def static_list_filter(host: str, column_path: str) -> ListFilter:
    """List pages of a hand-built TRS column (``/{host}{dir}index_N.html`` or the directory)."""
    directory = f"/{host}{column_path.rsplit('/', 1)[0]}/"

    def is_list(call: Call) -> bool:
        folder, _, name = call.path.rpartition("/")
        return folder + "/" == directory and (not name or bool(_TRS_LIST_FILE.fullmatch(name)))

    return is_list


def column_list_filter(column: Column) -> ListFilter:
    """List pages of a generated column: its routes and list directories that it answers."""
    routes = set(column.routes())
    directories = column.dir_routes()

    def is_list(call: Call) -> bool:
        listed = call.path in routes or any(call.path.startswith(d) for d in directories)
        return listed and column.matches(call)

    return is_list
