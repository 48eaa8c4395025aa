"""The Federal Register documents API: the query, FR- keys, effective_on, paging, faults."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.adapters.base import SourceState
from monitor.adapters.federal_register import FederalRegisterAdapter, api_url, check_options
from monitor.errors import ConfigError, FetchError
from monitor.replay.federal_register import Document, FederalRegisterSite
from tests.adapters.sources_support import fetcher_for, source

URL = "https://www.federalregister.gov/api/v1/documents.json"
SOURCE = source("federal-register", URL, agencies=["industry-and-security-bureau"],
                types=["RULE", "PRORULE"], terms=["rare earth", "magnet"],
                start_date="2025-01-01", per_page=2, first_run_pages=5)  # fmt: skip
ADAPTER = FederalRegisterAdapter()
MAGNETS = Document(
    "2025-21044", "Export Administration Regulations: Controls on Rare Earth Permanent Magnets",
    "RULE", "BIS adds rare earth permanent magnets containing dysprosium or terbium to the "
    "Commerce Control List.", "Interim final rule.", dt.date(2025, 11, 14),
    dt.date(2025, 12, 1), citation="90 FR 51234",
)  # fmt: skip


def filled_site(extra: int = 0) -> FederalRegisterSite:
    site = FederalRegisterSite()
    site.publish(MAGNETS)
    for n in range(extra):
        site.publish(Document(f"2025-1{n:04d}", f"Rare earth magnet supply chain notice {n}",
                              "PRORULE", "Request for comments.", "Proposed rule.",
                              dt.date(2025, 3, 1 + n), None))  # fmt: skip
    return site


def test_the_query_carries_every_condition_of_the_definition() -> None:
    query = parse_qs(urlsplit(api_url(SOURCE, 2)).query)
    assert query["conditions[agencies][]"] == ["industry-and-security-bureau"]
    assert query["conditions[type][]"] == ["RULE", "PRORULE"]
    assert query["conditions[term]"] == ["rare earth | magnet"]
    assert query["conditions[publication_date][gte]"] == ["2025-01-01"]
    assert query["page"] == ["2"] and query["order"] == ["newest"]
    assert "effective_on" in query["fields[]"]


def test_each_document_is_a_notice_keyed_by_its_number() -> None:
    result = ADAPTER.poll(SOURCE, fetcher_for(filled_site()), SourceState(first_run=True))
    (notice,) = result.notices
    assert notice.doc_key == "FR-2025-21044"
    assert notice.effective_on == dt.date(2025, 12, 1)
    assert notice.language == "en" and notice.published == dt.date(2025, 11, 14)
    assert notice.url.startswith("https://www.federalregister.gov/documents/2025/11/14/2025-21044/")
    assert "dysprosium" in notice.text and "Interim final rule." in notice.text


def test_pages_follow_total_pages_and_an_unchanged_page_is_one_request() -> None:
    site = filled_site(extra=3)  # 4 documents, 2 a page
    fetcher = fetcher_for(site)
    first = ADAPTER.poll(SOURCE, fetcher, SourceState(first_run=True))
    assert first.requests == 2 and len(first.notices) == 4
    assert first.window_start is None  # a search is no complete listing
    again = ADAPTER.poll(
        SOURCE, fetcher, SourceState(first_run=False, list_validators=first.list_validators)
    )
    assert again.unchanged and again.requests == 1


def test_no_documents_yet_is_an_empty_answer_not_a_failure() -> None:
    result = ADAPTER.poll(SOURCE, fetcher_for(FederalRegisterSite()), SourceState(first_run=True))
    assert not result.unchanged and result.notices == () and result.listed == ()


@pytest.mark.parametrize(
    ("fault", "reason"),
    [("success-false", "bad_envelope"), ("202-empty", "empty_body"), ("412", "challenge")],
)
def test_faults_are_source_failures(fault: str, reason: str) -> None:
    site = filled_site()
    site.set_fault(fault)
    with pytest.raises(FetchError) as caught:
        ADAPTER.poll(SOURCE, fetcher_for(site), SourceState(first_run=True))
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("options", "key"),
    [({}, "agencies"), ({"agencies": "bis"}, "agencies"), ({"terms": [""]}, "terms"),
     ({"agencies": ["x"], "types": ["RULES"]}, "types"),
     ({"agencies": ["x"], "start_date": "2025-13-01"}, "start_date"),
     ({"agencies": ["x"], "per_page": 5000}, "per_page")],
)  # fmt: skip
def test_bad_options_name_the_key(options: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_options(options)
    assert caught.value.key == key


def test_a_toml_date_is_a_good_start_date() -> None:
    check_options({"agencies": ["industry-and-security-bureau"], "start_date": dt.date(2025, 1, 1)})
