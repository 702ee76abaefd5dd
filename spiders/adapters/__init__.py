"""Site adapters, one per CMS family, registered by the name the source registry uses.

See FAMILIES.md in this folder for each family's wire format and registry options.
"""

from __future__ import annotations

from spiders.adapters import (  # noqa: F401  (importing registers each adapter)
    ccgp,
    epoint_list,
    epoint_search,
    freecms,
    generic_list,
    ggzy,
    gkmlpt,
    govcn_feed,
    gpcms,
    hanweb_jpage,
    jcms,
    report_page,
    search_json,
    trs_static,
    zcy,
)
from spiders.adapters.base import (
    ADAPTERS,
    AdapterOptionsError,
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    register,
)
from spiders.adapters.sites import (  # noqa: F401  (one site's own API or form)
    chongqing_json,
    guizhou_es,
    hubei_jyxx,
    hunan_form,
    jeecms_query,
    jiangxi_querylist,
    nmg_trssearch,
    shandong_api,
    trs_was5,
    yunnan_json,
)
from spiders.adapters.trs_static import TrsStaticAdapter

__all__ = [
    "ADAPTERS",
    "AdapterOptionsError",
    "ListAdapter",
    "ListItem",
    "ListPage",
    "PageRequest",
    "TrsStaticAdapter",
    "register",
]
