"""Every name a hall configures has an English field, set and read over the API (issue 15 §6):
the hall's name and commitments, a service's category, a window's name, the guide's text. English
mode uses them; an empty one falls back to the Chinese."""

from __future__ import annotations

from tests.helpers import bearer, gen_token

GUIDE = "/api/v1/halls/demo/services/A/guide"


def test_english_names_round_trip_through_the_admin_api(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.patch(
        "/api/v1/halls/demo",
        json={"name_en": "Demo Service Hall", "commitments_en": "Every matter told at once."},
        headers=manager,
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["name_en"] == "Demo Service Hall"
    hall = client.get("/api/v1/halls", headers=manager).get_json()["halls"][0]
    assert (hall["name_en"], hall["commitments_en"]) == ("Demo Service Hall", "Every matter told at once.")

    r = client.put(
        "/api/v1/halls/demo/services/A",
        json={"name_en": "Household registration", "category_en": "Public security"},
        headers=manager,
    )
    assert r.status_code == 200 and r.get_json()["category_en"] == "Public security"

    r = client.patch("/api/v1/windows/8", json={"name_en": "Window 8 (Housing fund)"}, headers=manager)
    assert r.status_code == 200 and r.get_json()["name_en"] == "Window 8 (Housing fund)"
    windows = client.get("/api/v1/halls/demo/windows", headers=manager).get_json()["windows"]
    assert [w["name_en"] for w in windows if w["number"] == 8] == ["Window 8 (Housing fund)"]
    assert client.patch("/api/v1/windows/999", json={"name_en": "x"}, headers=manager).status_code == 404
    clerk = bearer(gen_token(ctx, "clerk", "clerk08"))
    assert client.patch("/api/v1/windows/8", json={"name_en": "x"}, headers=clerk).status_code == 403

    # what kiosks and boards read
    info = client.get("/api/v1/halls/demo", headers=bearer(gen_token(ctx, "kiosk"))).get_json()
    a = [s for s in info["services"] if s["code"] == "A"][0]
    assert info["name_en"] == "Demo Service Hall" and a["category_en"] == "Public security"
    snap = client.get("/api/v1/halls/demo/snapshot", headers=bearer(gen_token(ctx, "board"))).get_json()
    assert snap["hall"]["name_en"] == "Demo Service Hall"
    assert snap["hall"]["commitments_en"] == "Every matter told at once."
    assert [w["name_en"] for w in snap["windows"] if w["number"] == 8] == ["Window 8 (Housing fund)"]

    # an empty English name is no name: English mode shows the Chinese
    r = client.patch("/api/v1/halls/demo", json={"name_en": ""}, headers=manager)
    assert r.get_json()["name_en"] is None


def test_a_guide_keeps_its_english_text_and_the_kiosk_gets_english_commitments(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    guide = {
        "materials": [
            {"id": "m1", "name": "居民身份证", "name_en": "Resident ID card", "notes_en": "the original"},
            {"id": "m2", "name": "户口簿"},
        ],
        "steps": ["取号", "提交材料"],
        "steps_en": ["Take a number", "Hand in the documents"],
        "legal_limit_days": 20,
        "promised_limit_days": 3,
        "fees": "免费",
        "fees_en": "Free",
        "legal_basis": "《户口登记条例》",
        "legal_basis_en": "Household Registration Regulations",
        "keywords": ["户口"],
        "keywords_en": ["hukou"],
    }
    r = client.put(GUIDE, json=guide, headers=manager)
    assert r.status_code == 200, r.get_json()
    got = client.get(GUIDE).get_json()["guide"]
    for key in ("steps_en", "fees_en", "legal_basis_en", "keywords_en"):
        assert got[key] == guide[key], key
    assert (
        got["materials"][0]["name_en"] == "Resident ID card"
        and got["materials"][0]["notes_en"] == "the original"
    )
    assert "name_en" not in got["materials"][1], "no English: the Chinese shows"
    bad = client.put(GUIDE, json={**guide, "steps_en": [1]}, headers=manager)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "steps_en[0]"

    info = client.get("/api/v1/halls/demo", headers=bearer(gen_token(ctx, "kiosk"))).get_json()
    a = [s for s in info["services"] if s["code"] == "A"][0]
    assert a["commitment_en"] == [
        "Legal time limit: 20 working days",
        "Promised time limit: 3 working days",
        "Fees: Free",
    ]
    found = client.get("/api/v1/halls/demo/guides/search?q=hukou").get_json()["results"]
    assert [h["code"] for h in found][:1] == ["A"]
