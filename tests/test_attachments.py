"""Finding attachment links on document pages, and reading the attachments' text.

Every input is generated here. The machine has no CJK font for fpdf2, so Chinese PDF text is
tested with a hand-built PDF (CID-keyed text with a ToUnicode map, as Chinese office software
writes it; no font file is needed to extract text) and fpdf2 builds the ASCII PDFs.
"""

from __future__ import annotations

import io
import os
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from fpdf.enums import EncryptionMethod

from crawler.extract import attachments
from crawler.extract.attachments import AttachmentLink, attachment_links, extract_attachment_text

PAGE_URL = "http://www.example.gov.cn/art/2024/3/1/art_1229_123.html"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------- builders


def fpdf_pdf(pages: list[str], *, user_password: str | None = None) -> bytes:
    """An ASCII PDF, one page per string, optionally AES-encrypted."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.cell(text=text)
    if user_password is not None:
        pdf.set_encryption(
            owner_password="owner",
            user_password=user_password,
            encryption_method=EncryptionMethod.AES_128,
        )
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A page with marks but no text layer, as a scanner's PDF looks to a text extractor."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 80, style="F")
    return bytes(pdf.output())


def cid_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` in a Type0 font whose codes are the code points."""
    chars = sorted({char for line in lines for char in line})
    pairs = "\n".join(f"<{ord(char):04X}> <{ord(char):04X}>" for char in chars)
    to_unicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{pairs}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    shown = " ".join(
        "<" + "".join(f"{ord(char):04X}" for char in line) + "> Tj T*" for line in lines
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H"
        b" /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        pdf_stream(f"BT /F1 12 Tf 16 TL 72 760 Td {shown} ET"),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo"
        b" << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
        b" /FontDescriptor 8 0 R /DW 1000 >>",
        pdf_stream(to_unicode),
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859]"
        b" /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>",
    ]
    return assemble_pdf(objects)


def pdf_stream(body: str) -> bytes:
    raw = body.encode("ascii")
    return b"<< /Length %d >>\nstream\n" % len(raw) + raw + b"\nendstream"


def assemble_pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def docx_bytes(build: Callable[[docx.document.Document], object]) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def award_notice(document: docx.document.Document) -> None:
    document.add_paragraph("关于区块链服务平台采购项目中标结果的公告")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["项目名称", "中标供应商", "中标金额"], strict=True):
        cell.text = text
    for cell, text in zip(
        table.rows[1].cells, ["区块链服务平台", "某某科技有限公司", "128.5万元"], strict=True
    ):
        cell.text = text
    document.add_paragraph("公告期限：自本公告发布之日起1个工作日。")


def zip_bytes(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def ole2_bytes(stream: str) -> bytes:
    """The header of a compound file and a directory entry naming ``stream``; no real content."""
    return OLE2_MAGIC + bytes(504) + stream.encode("utf-16-le") + bytes(1536)


def executable(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)


# Parsers that stand in for the real ones. They run in the child process, so they must be
# importable module-level functions.


def parser_that_hangs(data: bytes, max_chars: int) -> attachments._Outcome:
    Path(data.split(b"\n", 1)[1].decode()).write_text(str(os.getpid()))
    time.sleep(60)
    return attachments._Outcome(text="too late")


def parser_that_dies(data: bytes, max_chars: int) -> attachments._Outcome:
    os._exit(3)


def parser_that_raises(data: bytes, max_chars: int) -> attachments._Outcome:
    raise ValueError("xref table\nbroken at offset 42")


def parser_that_eats_memory(data: bytes, max_chars: int) -> attachments._Outcome:
    hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB, more than it may have
    return attachments._Outcome(text=str(len(hoard)))


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --------------------------------------------------------------------------- links

GOVERNMENT_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知</title></head>
<body><div class="nav"><a href="/index.html">首页</a> &gt; <a href="/col/col1229/">通知公告</a></div>
<div id="zoom">
<p>各区县人民政府，市各委办局：</p>
<p>现将《关于推进区块链技术应用的实施方案》印发给你们，请认真贯彻执行。</p>
<p>附件：<a href="/module/download/downfile.jsp?classid=0&filename=abc.pdf">1.关于推进区块链技术应用的实施方案.pdf</a></p>
<p>　　　<a href="../../../../picture/0/申报表.DOCX?t=1709251200">2.项目申报表</a></p>
<p>　　　<a href="/attach/download.do?id=778">3.试点单位名单</a></p>
<p><a href="/module/download/downfile.jsp?classid=0&amp;filename=abc.pdf#page=2">1.关于推进区块链技术应用的实施方案.pdf</a></p>
<p style="text-align:right">某某市人民政府办公室</p>
</div>
<div class="share"><a href="javascript:window.print()">打印本页</a> <a href="#">返回顶部</a></div>
</body></html>"""


def test_a_government_page_yields_its_attachments_in_page_order_without_duplicates() -> None:
    links = attachment_links(GOVERNMENT_PAGE, PAGE_URL)

    assert links == [
        AttachmentLink(
            url="http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=abc.pdf",
            name="1.关于推进区块链技术应用的实施方案.pdf",
            extension="pdf",
        ),
        AttachmentLink(
            url="http://www.example.gov.cn/picture/0/申报表.DOCX?t=1709251200",
            name="2.项目申报表",
            extension="docx",
        ),
        AttachmentLink(
            url="http://www.example.gov.cn/attach/download.do?id=778",
            name="3.试点单位名单",
            extension="",
        ),
    ]


def test_a_download_script_link_is_an_attachment_when_its_text_names_a_file() -> None:
    page = '<p>详见<a href="download.jsp?id=9">附件2：报价一览表.XLS（35KB）</a></p>'

    (link,) = attachment_links(page, "http://ggzy.example.gov.cn/jyxx/notice.html")

    assert link.url == "http://ggzy.example.gov.cn/jyxx/download.jsp?id=9"
    assert link.extension == "xls"
    assert link.name == "附件2：报价一览表.XLS（35KB）"


def test_a_link_titled_with_the_word_attachment_is_an_attachment_without_a_label() -> None:
    page = '<p>请下载<a href="/getfile?fid=31">附件一</a>填写。</p>'

    assert [link.url for link in attachment_links(page, PAGE_URL)] == [
        "http://www.example.gov.cn/getfile?fid=31"
    ]


def test_a_label_does_not_reach_links_beyond_the_following_article_text() -> None:
    page = (
        "<div><p>附件：</p><p>" + "本方案自印发之日起施行，由市发展改革委负责解释。" * 4 + "</p>"
        '<a href="/interview?id=5">相关解读</a></div>'
    )

    assert attachment_links(page, PAGE_URL) == []


def test_pages_listed_under_a_label_are_not_attachments() -> None:
    page = '<p>附件：<a href="/art/2023/5/6/art_1.html">关于印发……的通知</a></p>'

    assert attachment_links(page, PAGE_URL) == []


def test_relative_links_resolve_against_the_pages_base_element() -> None:
    page = '<html><head><base href="http://files.example.gov.cn/upload/"></head><body><a href="2024/plan.pdf">方案</a></body></html>'

    (link,) = attachment_links(page, PAGE_URL)

    assert link.url == "http://files.example.gov.cn/upload/2024/plan.pdf"


def test_an_icon_link_before_the_titled_link_to_the_same_file_leaves_the_title_as_name() -> None:
    page = '<a href="/f/a.pdf"><img src="pdf.gif"></a> <a href="/f/a.pdf">实施细则</a>'

    assert attachment_links(page, PAGE_URL) == [
        AttachmentLink("http://www.example.gov.cn/f/a.pdf", "实施细则", "pdf")
    ]


def test_a_link_without_text_is_named_by_its_file_name() -> None:
    page = '<a href="/module/download/downfile.jsp?filename=%E6%96%B9%E6%A1%88.docx"></a>'

    (link,) = attachment_links(page, PAGE_URL)

    assert link.name == "方案.docx"
    assert link.extension == "docx"


def test_at_most_twenty_attachment_links_are_kept() -> None:
    page = "".join(f'<a href="/f/{number}.pdf">文件{number}</a>' for number in range(30))

    links = attachment_links(page, PAGE_URL)

    assert [link.name for link in links] == [f"文件{number}" for number in range(20)]


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", '<?xml version="1.0"?><a>'])
def test_an_empty_or_broken_page_has_no_attachment_links(html: str) -> None:
    assert attachment_links(html, PAGE_URL) == []


# --------------------------------------------------------------------------- PDF


def test_chinese_pdf_text_is_read_through_the_fonts_unicode_map() -> None:
    data = cid_pdf(["关于推进区块链技术应用的通知", "第二条：数字人民币试点 2024年"])

    result = extract_attachment_text(data, "通知.pdf")

    assert result.error is None
    assert result.kind == "pdf"
    assert result.pages == 1
    assert result.text.splitlines()[:2] == [
        "关于推进区块链技术应用的通知",
        "第二条：数字人民币试点 2024年",
    ]


def test_every_page_of_a_multi_page_pdf_is_read_in_order_and_counted() -> None:
    data = fpdf_pdf(["Page one: blockchain pilot", "Page two: budget", "Page three: contacts"])

    result = extract_attachment_text(data, "plan.pdf")

    assert result.error is None
    assert result.pages == 3
    assert result.truncated is False
    assert result.text == "Page one: blockchain pilot\nPage two: budget\nPage three: contacts"


def test_a_pdf_encrypted_with_an_empty_user_password_is_opened() -> None:
    result = extract_attachment_text(fpdf_pdf(["qukuailian notice"], user_password=""), "a.pdf")

    assert result.error is None
    assert result.text == "qukuailian notice"


def test_a_pdf_that_needs_a_real_password_is_reported_encrypted() -> None:
    result = extract_attachment_text(fpdf_pdf(["secret"], user_password="1234"), "a.pdf")

    assert result.text == ""
    assert result.error == "encrypted (password required)"


def test_a_scanned_pdf_without_a_text_layer_gives_no_text_and_says_so() -> None:
    result = extract_attachment_text(scanned_pdf(), "scan.pdf")

    assert result.text == ""
    assert result.pages == 1
    assert result.error == "no text layer (scanned?)"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated download"),
        pytest.param(lambda data: data[:9] + bytes(range(256)) * 8, id="garbage after header"),
    ],
)
def test_a_corrupt_pdf_gives_an_error_not_an_exception(damage: Callable[[bytes], bytes]) -> None:
    result = extract_attachment_text(damage(fpdf_pdf(["blockchain"])), "broken.pdf")

    assert result.kind == "pdf"
    assert result.text == ""
    assert result.error
    assert "\n" not in result.error


def test_text_beyond_max_chars_is_cut_and_marked_truncated() -> None:
    data = fpdf_pdf(["blockchain " * 5, "second page", "third page"])

    result = extract_attachment_text(data, "long.pdf", max_chars=20)

    assert result.text == "blockchain blockchai"
    assert result.truncated is True
    assert result.pages == 3


# --------------------------------------------------------------------------- DOCX and others


def test_docx_paragraphs_and_table_cells_are_read_in_document_order() -> None:
    result = extract_attachment_text(docx_bytes(award_notice), "中标公告.docx")

    assert result.error is None
    assert result.kind == "docx"
    assert result.text.splitlines() == [
        "关于区块链服务平台采购项目中标结果的公告",
        "项目名称\t中标供应商\t中标金额",
        "区块链服务平台\t某某科技有限公司\t128.5万元",
        "公告期限：自本公告发布之日起1个工作日。",
    ]


def test_a_merged_table_cell_is_read_once() -> None:
    def merged(document: docx.document.Document) -> None:
        table = document.add_table(rows=1, cols=3)
        left, middle, right = table.rows[0].cells
        left.merge(middle).text = "区块链"
        right.text = "100万元"

    result = extract_attachment_text(docx_bytes(merged), "t.docx")

    assert result.text == "区块链\t100万元"


def test_the_bytes_decide_the_format_when_the_name_lies() -> None:
    result = extract_attachment_text(docx_bytes(award_notice), "附件1.pdf")

    assert result.kind == "docx"
    assert result.error is None
    assert "区块链服务平台" in result.text


def test_an_html_error_page_saved_under_a_pdf_name_is_reported_not_parsed() -> None:
    page = b"\xef\xbb\xbf<!DOCTYPE html><html><head><title>404</title></head><body>"

    result = extract_attachment_text(page, "download.pdf")

    assert result.kind == "html"
    assert result.error == "not a document: the server sent an HTML page"


def test_xlsx_strings_are_read_shared_and_inline() -> None:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    data = zip_bytes(
        {
            "[Content_Types].xml": "<Types/>",
            "xl/workbook.xml": f"<workbook {ns}/>",
            "xl/sharedStrings.xml": f"<sst {ns}><si><t>项目名称</t></si><si><r><t>区块</t></r><r><t>链平台</t></r></si><si><t>区</t><rPh><t>qu</t></rPh></si></sst>",
            "xl/worksheets/sheet1.xml": f'<worksheet {ns}><sheetData><row><c t="inlineStr"><is><t>备注：试点</t></is></c><c><v>42</v></c></row></sheetData></worksheet>',
        }
    )

    result = extract_attachment_text(data, "名单.xlsx")

    assert result.kind == "xlsx"
    assert result.error is None
    assert result.text.splitlines() == ["项目名称", "区块链平台", "区", "备注：试点"]


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (zip_bytes({"a.txt": "x"}), "files.zip", "zip"),
        (b"Rar!\x1a\x07\x01\x00" + bytes(32), "files.rar", "rar"),
        (zip_bytes({"OFD.xml": "<ofd:OFD/>", "Doc_0/Document.xml": "<d/>"}), "通知.ofd", "ofd"),
        (ole2_bytes("Workbook"), "名单.xls", "xls"),
    ],
    ids=["zip", "rar", "ofd", "xls"],
)
def test_formats_without_a_reader_are_reported_unsupported(
    data: bytes, name: str, kind: str
) -> None:
    result = extract_attachment_text(data, name)

    assert result.kind == kind
    assert result.text == ""
    assert result.error == f"unsupported format: {kind}"


# --------------------------------------------------------------------------- DOC / WPS


def test_word_binary_uses_antiword_or_catdoc_if_installed_else_is_reported_unsupported() -> None:
    result = extract_attachment_text(ole2_bytes("WordDocument"), "通知.doc")

    assert result.kind == "doc"
    if shutil.which("antiword") or shutil.which("catdoc"):
        # The stand-in bytes are no real document: the tool runs and its failure is reported.
        assert result.error and not result.error.startswith("unsupported format")
    else:
        assert result.text == ""
        assert result.error == "unsupported format: doc (install antiword or catdoc)"


def test_word_binary_without_antiword_or_catdoc_is_unsupported_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    result = extract_attachment_text(ole2_bytes("WordDocument"), "通知.wps")

    assert result.kind == "wps"
    assert result.error == "unsupported format: wps (install antiword or catdoc)"


def test_word_binary_text_comes_from_antiword_when_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executable(tmp_path, "antiword", "printf '%s\\n' '关于区块链试点的通知'")
    monkeypatch.setenv("PATH", str(tmp_path))

    result = extract_attachment_text(ole2_bytes("WordDocument"), "通知.doc")

    assert result.error is None
    assert result.text == "关于区块链试点的通知"


def test_catdoc_is_tried_when_antiword_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executable(tmp_path, "antiword", "echo 'not a Word Document' >&2; exit 1")
    executable(tmp_path, "catdoc", "printf '%s\\n' '区块链'")
    monkeypatch.setenv("PATH", str(tmp_path))

    result = extract_attachment_text(ole2_bytes("WordDocument"), "通知.doc")

    assert result.error is None
    assert result.text == "区块链"


def test_a_hanging_word_converter_is_stopped_after_max_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executable(tmp_path, "antiword", "exec /bin/sleep 30")
    monkeypatch.setenv("PATH", str(tmp_path))
    started = time.monotonic()

    result = extract_attachment_text(ole2_bytes("WordDocument"), "通知.doc", max_seconds=0.5)

    assert result.error == "timed out after 0.5s"
    assert time.monotonic() - started < 5


# --------------------------------------------------------------------------- bounds


def test_an_input_over_max_bytes_is_refused_without_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[bytes] = []
    monkeypatch.setattr(attachments, "_run_isolated", lambda *args: parsed.append(args[1]))

    result = extract_attachment_text(fpdf_pdf(["blockchain"]), "big.pdf", max_bytes=100)

    assert parsed == []
    assert result.kind == "pdf"
    assert result.text == ""
    assert result.error is not None and result.error.startswith("too large (")
    assert result.error.endswith(" MB > 0.000095 MB)")


def test_a_parser_that_hangs_is_killed_after_max_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "pid"
    monkeypatch.setattr(attachments, "_pdf_text", parser_that_hangs)
    started = time.monotonic()

    result = extract_attachment_text(b"%PDF-1.7\n" + str(pid_file).encode(), "a.pdf", max_seconds=3)

    assert time.monotonic() - started < 7
    assert result.error == "timed out after 3s"
    assert result.text == ""
    assert not process_exists(int(pid_file.read_text()))


def test_a_parser_process_that_dies_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "_pdf_text", parser_that_dies)

    result = extract_attachment_text(b"%PDF-1.7\n", "a.pdf")

    assert result.error == "parser process died (exit code 3)"


def test_a_parser_exception_becomes_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "_pdf_text", parser_that_raises)

    result = extract_attachment_text(b"%PDF-1.7\n", "a.pdf")

    assert result.text == ""
    assert result.error == "ValueError: xref table broken at offset 42"


def test_an_empty_download_is_reported_empty() -> None:
    result = extract_attachment_text(b"", "a.pdf")

    assert (result.kind, result.error) == ("pdf", "empty file")


def test_a_zip_bomb_posing_as_a_docx_is_refused_without_unpacking() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:t>" + b"0" * (300 * 1024 * 1024))
    data = bomb.getvalue()
    assert len(data) < 1024 * 1024  # 300 MB of zeros deflate to well under a megabyte
    started = time.monotonic()
    result = extract_attachment_text(data, "notice.docx")
    assert time.monotonic() - started < 5
    assert result.kind == "docx" and result.text == ""
    assert (
        result.error is not None and "ZIP bomb" in result.error and "unpacks to 300" in result.error
    )


def test_a_parser_that_grabs_memory_is_stopped_by_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(attachments, "_pdf_text", parser_that_eats_memory)
    result = extract_attachment_text(b"%PDF-1.7\n", "a.pdf")
    assert result.text == ""
    assert result.error is not None and "MemoryError" in result.error, result.error
