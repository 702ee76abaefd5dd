"""Registry sources served in the markup and behaviour of their CMS family.

One module per family (see spiders/adapters/FAMILIES.md for the wire formats); FAMILIES maps
the registry's adapter names to the column classes that imitate them.
"""

from __future__ import annotations

from replica.families.base import Column
from replica.families.call import Call
from replica.families.ccgp_channel import CcgpChannel
from replica.families.ccgp_search import CcgpSearch
from replica.families.chongqing_json import ChongqingJson
from replica.families.epoint_list import EpointList
from replica.families.epoint_search import EpointSearch
from replica.families.freecms import Freecms
from replica.families.generic_list import GenericList
from replica.families.ggzy import Ggzy
from replica.families.gkmlpt import Gkmlpt
from replica.families.govcn_feed import GovcnFeed
from replica.families.gpcms import Gpcms
from replica.families.guizhou_es import GuizhouEs
from replica.families.hanweb_jpage import HanwebJpage
from replica.families.hubei_jyxx import HubeiJyxx
from replica.families.hunan_form import HunanForm
from replica.families.jcms import Jcms
from replica.families.jeecms_query import JeecmsQuery
from replica.families.jiangxi_querylist import JiangxiQueryList
from replica.families.nmg_trssearch import NmgTrssearch
from replica.families.report_page import ReportPage
from replica.families.search_json import SearchJson
from replica.families.shandong_api import ShandongApi
from replica.families.trs_static import TrsStatic
from replica.families.trs_was5 import TrsWas5
from replica.families.yunnan_json import YunnanJson
from replica.families.zcy import Zcy

FAMILIES: dict[str, type[Column]] = {
    column.family: column
    for column in (
        TrsStatic,
        GenericList,
        HanwebJpage,
        HunanForm,
        HubeiJyxx,
        JeecmsQuery,
        JiangxiQueryList,
        TrsWas5,
        Gkmlpt,
        GovcnFeed,
        Freecms,
        Gpcms,
        GuizhouEs,
        Zcy,
        CcgpChannel,
        CcgpSearch,
        ChongqingJson,
        EpointList,
        EpointSearch,
        Ggzy,
        SearchJson,
        ShandongApi,
        Jcms,
        ReportPage,
        YunnanJson,
        NmgTrssearch,
    )
}

__all__ = ["FAMILIES", "Call", "Column"]
