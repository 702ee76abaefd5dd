"""The pages a protected site answers with before (or instead of) its content.

Our own imitations of the flows seen on Chinese government sites (SITES.md §6), never the
vendors' code: a 瑞数-style HTTP 412 page with a ``<meta r="m">`` token, a ``$_ts`` marker and
a script that derives a cookie from the token and reloads; a 加速乐-style HTTP 521 page whose
script sets ``__jsl_clearance_s`` and reloads; and a 验证码 form that no script can get past.
"""

from __future__ import annotations

import html
import json

from replica.challenges.tokens import TOKEN_HASH_JS

RUISHU_SERVER_COOKIE = "FSSBBIl1UgzbN7N80S"  # set by the 412 answer, HttpOnly
RUISHU_CLIENT_COOKIE = "FSSBBIl1UgzbN7N80T"  # computed by the page's script
JSL_SERVER_COOKIE = "__jsluid_s"
JSL_CLIENT_COOKIE = "__jsl_clearance_s"


def ruishu_page(token: str, nsd: int, cd: str, cookie_path: str) -> str:
    """HTTP 412 body: token in the meta, the ``$_ts`` marker, a script that sets the T cookie.

    The script reads the token from the meta (as the real one does), so a page whose meta is
    lost cannot pass; ``location.replace`` reloads the same URL with the new cookie.
    """
    script = (
        "(function(){" + TOKEN_HASH_JS + "var m=document.querySelector('meta[r=\"m\"]');"
        "if(!m)return;"
        f"document.cookie='{RUISHU_CLIENT_COOKIE}='+gwHash(m.getAttribute('content'))"
        f"+'; path={cookie_path}';"
        "location.replace(location.href);})();"
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" '
        'content="text/html; charset=utf-8">\n'
        f'<meta content="{html.escape(token)}" r="m">'
        f"<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};"
        f'$_ts.nsd={nsd};$_ts.cd="{cd}";</script>'
        f"<script type=\"text/javascript\" r='m'>{script}</script>\n"
        "</head>\n<body>\n</body>\n</html>\n"
    )


def jsl_page(clearance_parts: tuple[str, str, str], cookie_path: str) -> str:
    """HTTP 521 body: a script that assembles ``__jsl_clearance_s`` and reloads the page.

    ``clearance_parts`` is (prefix, token, suffix); the cookie value is prefix + hash(token) +
    suffix, spelled out piecewise the way such scripts obfuscate it.
    """
    head, token, tail = clearance_parts
    script = (
        TOKEN_HASH_JS + "var gw_p=" + json.dumps([head, token, tail]) + ";"
        f"document.cookie=('{JSL_CLIENT_COOKIE[:6]}')+('{JSL_CLIENT_COOKIE[6:]}=')"
        "+gw_p[0]+gwHash(gw_p[1])+gw_p[2]"
        f"+(';max-age=3600;path={cookie_path}');"
        "location.href=location.pathname+location.search;"
    )
    return f"<html><body><script>{script}</script></body></html>\n"


def captcha_page(form_action: str) -> str:
    """HTTP 200 body: a 验证码 form (the image is not even served). No browser gets past it."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>验证码</title></head>\n'
        '<body><div class="verify">\n'
        f'<form method="post" action="{html.escape(form_action)}">\n'
        "<p>您的访问需要验证，请输入下图中的验证码后继续。</p>\n"
        f'<img src="{html.escape(form_action)}/image.jpg" alt="验证码">\n'
        '<input type="text" name="code" maxlength="4">\n'
        '<button type="submit">提交</button>\n</form>\n</div></body></html>\n'
    )
