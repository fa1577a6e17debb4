"""An app user's link or QR code pasted where the server settings are asked for (issue #18
review): Central shows the link https://host/v1/key/TOKEN/projects/N, and its QR code holds
Collect settings, base64 of zlib-compressed JSON with general.server_url (central-frontend
src/components/collect-qr.vue and field-key/qr-panel.vue)."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from screening.errors import InputError
from screening.server.settings import parse_app_user_link

TOKEN = "Ab3!" + "x$Y9" * 15  # Central's shape: 64 of [A-Za-z0-9!$]


def qr_text(server_url: str) -> str:
    """The text a QR reader gives for Central's "Client Configuration Code"."""
    settings = {"general": {"server_url": server_url, "form_update_mode": "match_exactly",
                            "autosend": "wifi_and_cellular"},
                "project": {"name": "Synthetic pilot"}, "admin": {}}
    return base64.b64encode(zlib.compress(json.dumps(settings).encode())).decode()


@pytest.mark.parametrize(("text", "url", "project"), [
    (f"https://central.example.org/v1/key/{TOKEN}/projects/7",
     "https://central.example.org", 7),
    (f"  https://Central.Example.org:8443/odk/v1/key/{TOKEN}/projects/12/  \n",
     "https://central.example.org:8443/odk", 12),
    (f"<https://central.example.org/v1/key/{TOKEN}/projects/7/submission>",
     "https://central.example.org", 7),
    (f"'http://127.0.0.1:8383/v1/key/{TOKEN.replace('$', '%24')}/projects/3'",
     "http://127.0.0.1:8383", 3),
    (qr_text(f"https://central.example.org/v1/key/{TOKEN}/projects/7"),
     "https://central.example.org", 7),
    (json.dumps({"general": {"server_url": f"https://c.example.org/v1/key/{TOKEN}/projects/2"},
                 "admin": {}}), "https://c.example.org", 2),
])
def test_a_pasted_link_or_qr_code_gives_server_token_and_project(
        text: str, url: str, project: int) -> None:
    link = parse_app_user_link(text)
    assert link is not None
    assert (link.url, link.token, link.project_id) == (url, TOKEN, project)
    url_back, token, number = link  # unpacks as (url, token, project_id)
    assert (url_back, token, number) == (url, TOKEN, project)
    assert TOKEN not in repr(link)


@pytest.mark.parametrize("text", [
    TOKEN, "", "https://central.example.org", "https://central.example.org/v1/projects/7",
    f"https://central.example.org/v1/key/{TOKEN}/projects/x",
    f"https://central.example.org/v1/key/{TOKEN}/projects/7/forms/a.xml",
    f"https://central.example.org/v1/key/{TOKEN[:10]}+oops/projects/7",
    qr_text("https://central.example.org/v1/projects/7"),
    base64.b64encode(zlib.compress(b"not json")).decode(),
    base64.b64encode(zlib.compress(b"[" * 10_000_000)).decode(),  # a bomb: stops early
])
def test_other_texts_are_not_taken_for_a_link(text: str) -> None:
    assert parse_app_user_link(text) is None


def test_a_plain_http_link_to_a_real_host_is_refused_clearly() -> None:
    with pytest.raises(InputError) as caught:
        parse_app_user_link(f"http://central.example.org/v1/key/{TOKEN}/projects/7")
    assert "https://" in caught.value.message and TOKEN not in caught.value.message
