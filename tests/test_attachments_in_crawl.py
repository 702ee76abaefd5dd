"""A crawl reads the files a document links, matches their text, and survives broken ones."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import docx
import pytest

from tests.replica_crawl import run_govwatch, stored_documents

pytestmark = pytest.mark.e2e


def award_table_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("中标结果明细")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["包号", "项目", "中标金额"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "区块链存证平台", "128万元"], strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


PAGES: dict[str, tuple[int, str, bytes]] = {
    "/col/index.html": (
        200,
        "text/html; charset=utf-8",
        (
            '<html><body><ul><li><a href="./202401/t20240125_42.html" title="关于公布采购结果的通知">'
            "关于公布采购结果的通知</a><span>2024-01-25</span></li></ul>"
            '<script>createPageHTML(1, 0, "index", "html");</script></body></html>'
        ).encode(),
    ),
    "/col/202401/t20240125_42.html": (
        200,
        "text/html; charset=utf-8",
        (
            '<html><head><meta name="ArticleTitle" content="关于公布采购结果的通知">'
            '<meta name="PubDate" content="2024-01-25 09:00"></head><body><div class="TRS_Editor">'
            "<p>现将采购结果公布如下，详见附件。正文没有那个关键词，只有附件里有。</p>"
            '<p>附件：<a href="/files/result.docx">1.采购结果明细.docx</a> '
            '<a href="/files/missing.pdf">2.评审报告.pdf</a></p></div></body></html>'
        ).encode(),
    ),
    "/files/result.docx": (200, "application/octet-stream", award_table_docx()),
}


class Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, content_type, body = PAGES.get(self.path, (404, "text/html", b"<h1>404</h1>"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_attachment_text_is_stored_and_matched_and_a_missing_one_is_recorded(
    site: str, database_url: str, tmp_path: Path
) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "hainan.toml").write_text(
        'province = "hainan"\n[[source]]\nid = "hainan-test"\nname = "测试"\nkind = "procurement"\n'
        f'adapter = "trs_static"\nentry_urls = ["{site}/col/index.html"]\n',
        encoding="utf-8",
    )
    result = run_govwatch(
        ["crawl", "--source", "hainan-test", "--json"],
        replica_url=None,
        database_url=database_url,
        data_dir=tmp_path,
        extra_env={"GOVWATCH_REGISTRY_DIR": str(registry)},
    )
    assert result.returncode == 0, result.stderr
    [document] = stored_documents(database_url).values()
    assert [h.keywords for h in document.hits] == [{"区块链": 1}]
    by_name = {a.name: a for a in document.attachments}
    assert "区块链存证平台" in by_name["1.采购结果明细.docx"].text
    assert by_name["1.采购结果明细.docx"].error is None
    assert by_name["2.评审报告.pdf"].error == "HTTP 404" and by_name["2.评审报告.pdf"].text == ""
