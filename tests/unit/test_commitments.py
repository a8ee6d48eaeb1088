"""Service commitments (服务承诺): the guide's time limits, the warning threshold and the fees."""

from __future__ import annotations

import pytest

from server.domain.guide import GuideInvalid, commitment_lines, commitment_view, parse_guide


def refused_fields(data):
    with pytest.raises(GuideInvalid) as err:
        parse_guide(data)
    return [e.field for e in err.value.errors]


def test_warn_days_is_kept_within_the_promised_limit():
    assert parse_guide({"legal_limit_days": 20, "promised_limit_days": 5, "warn_days": 5}).warn_days == 5
    assert refused_fields({"legal_limit_days": 20, "promised_limit_days": 5, "warn_days": 6}) == ["warn_days"]


def test_warn_days_falls_back_to_the_legal_limit_and_needs_a_limit():
    assert parse_guide({"legal_limit_days": 20, "warn_days": 20}).warn_days == 20
    assert refused_fields({"legal_limit_days": 20, "warn_days": 21}) == ["warn_days"]
    assert refused_fields({"warn_days": 1}) == ["warn_days"]


def test_warn_days_is_a_whole_number_of_days_zero_or_more():
    assert refused_fields({"legal_limit_days": 5, "warn_days": -1}) == ["warn_days"]
    assert refused_fields({"legal_limit_days": 5, "warn_days": True}) == ["warn_days"]


def test_a_promise_longer_than_the_law_is_refused_naming_the_promise():
    err_fields = refused_fields({"legal_limit_days": 3, "promised_limit_days": 5, "warn_days": 1})
    assert err_fields == ["promised_limit_days"]


def test_the_commitment_reads_legal_promised_and_fees():
    guide = parse_guide({"legal_limit_days": 20, "promised_limit_days": 3, "warn_days": 1, "fees": "免费"})
    assert commitment_lines(guide) == ["法定时限 20 个工作日", "承诺时限 3 个工作日", "收费：免费"]


def test_an_on_the_spot_service_says_so():
    view = commitment_view(parse_guide({"promised_limit_days": 0}))
    assert view["on_the_spot"] and view["lines"] == ["即办件：当场办结"]
    assert commitment_lines(parse_guide({})) == []
