"""`.mht` / `.mhtml`: a web page saved as one file (IE, Edge and Chrome's 「网页，单个文件」, Word and WPS's
单个文件网页). It is a MIME message; its first text/html part is the page, read as any web page (html.py)
with the encoding its part header declares. Pictures and style sheets in the other parts are not read."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from pathlib import Path

from auditlib.ingest.errors import UnreadableError
from auditlib.ingest.html import read_html
from auditlib.ingest.sniff import sha256_of
from auditlib.model import Document

__all__ = ["read_mht"]

_KIND = "单文件网页（.mht）"


def read_mht(path: Path, data: bytes) -> Document:
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    page = next((part for part in message.walk() if part.get_content_type() == "text/html"), None)
    if page is None:
        if message.get_content_type() == "text/plain" and b"<html" in data[:4096].lower():
            page = message  # a page saved with no MIME headers at all
        else:
            raise UnreadableError(f"不是有效的{_KIND}：其中没有网页（text/html）部分")
    body = page.get_payload(decode=True)
    if not isinstance(body, bytes) or not body.strip():
        raise UnreadableError(f"{_KIND}中的网页部分是空的")
    doc = read_html(path, body, page.get_content_charset())
    return replace(doc, sha256=sha256_of(data))
