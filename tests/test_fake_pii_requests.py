"""make_fake_pii reads seed 004's request file as given; gendered surnames."""

import numpy as np
import pandas as pd
import pytest

from sklearn_anon import make_fake_pii
from sklearn_anon.synthetic._fake_pii import _locale_for

pytest.importorskip("faker")  # extra "fake"

SEED_REQUESTS = """Country,Year,Records
RUSSIA,2023,40
UNITED STATES,2024,5
GERMANY,2022,3
"""


def test_the_seed_request_file_as_given(tmp_path):
    path = tmp_path / "requests.csv"
    path.write_text(SEED_REQUESTS)
    people = make_fake_pii(path, random_state=0)
    assert people.groupby("country", sort=False).size().to_dict() == {
        "RUSSIA": 40, "UNITED STATES": 5, "GERMANY": 3}
    assert people.groupby("country")["locale"].first().to_dict() == {
        "RUSSIA": "ru_RU", "UNITED STATES": "en_US", "GERMANY": "de_DE"}
    # Year is the year the records are as of: age = Year - birth year
    assert (people["year"] - people["birth_date"].dt.year == people["age"]).all()
    assert people.loc[people["country"] == "RUSSIA", "year"].eq(2023).all()
    # the same table as a DataFrame, other column spellings, same result
    frame = pd.read_csv(path).rename(columns={"Year": "YEAR", "Records": "records"})
    pd.testing.assert_frame_equal(make_fake_pii(frame, random_state=0), people)


@pytest.mark.parametrize("country, locale", [
    ("RUSSIA", "ru_RU"), ("Russian Federation", "ru_RU"), ("russia", "ru_RU"), ("RUS", "ru_RU"),
    ("RU", "ru_RU"), ("UNITED STATES", "en_US"), ("USA", "en_US"), ("U.S.A.", "en_US"),
    ("United States of America", "en_US"), ("us", "en_US"), ("UNITED KINGDOM", "en_GB"),
    ("GBR", "en_GB"), ("DEU", "de_DE"), ("  germany ", "de_DE"), ("de_DE", "de_DE"),
    ("fr_FR", "fr_FR"), ("Czechia", "cs_CZ"), ("POLAND", "pl_PL"),
])
def test_country_spellings(country, locale):
    assert _locale_for(country) == locale


def test_unknown_country_names_the_row_and_does_not_guess():
    with pytest.raises(ValueError, match=r"requests row 2: No Faker locale") as err:
        make_fake_pii(pd.DataFrame({"Country": ["RUSSIA", "USA", "Narnia"],
                                    "Year": [2023] * 3, "Records": [1] * 3}))
    assert "Narnia" not in str(err.value)            # no cell value in messages
    for vague in ("RUSS", "UNITED", "AMERICAS", "SOVIET UNION"):
        with pytest.raises(ValueError, match="row 0"):
            make_fake_pii([(vague, 2023, 1)])
    with pytest.raises(ValueError, match="two columns"):
        make_fake_pii(pd.DataFrame({"country": ["US"], "Country": ["US"], "year": [2024],
                                    "n": [1]}))
    with pytest.raises(ValueError, match="Records"):
        make_fake_pii(pd.DataFrame({"Country": ["US"], "Year": [2024]}))


def test_russian_women_get_feminine_surnames():
    from faker.providers.person.ru_RU import Provider

    people = make_fake_pii([("RUSSIA", 2023, 300)], random_state=3)
    women = people[people["gender"] == "F"]
    men = people[people["gender"] == "M"]
    assert len(women) > 100 and len(men) > 100
    assert women["last_name"].isin(Provider.last_names_female).all()
    assert men["last_name"].isin(Provider.last_names_male).all()
    # feminine forms end in -a / -ya (Ivanova, Tolstaya); masculine ones do not
    assert women["last_name"].str.endswith(("а", "я")).all()
    assert not men["last_name"].str.endswith(("ова", "ева", "ина", "ая")).any()
    assert (women["name"] == women["first_name"] + " " + women["last_name"]).all()
    # Polish too (Kowalska / Kowalski), through the same provider method
    pl = make_fake_pii([("POLAND", 2023, 200)], random_state=0)
    from faker.providers.person.pl_PL import Provider as PL

    if hasattr(PL, "last_names_female"):
        assert pl.loc[pl["gender"] == "F", "last_name"].isin(PL.last_names_female).all()
    assert np.isin(pl["gender"], ["F", "M"]).all()


def test_russian_emails_are_built_from_the_transliterated_name():
    people = make_fake_pii([("RUSSIA", 2023, 60)], random_state=1)
    local = people["email"].str.split("@").str[0].str.rstrip("0123456789")
    assert people["email"].str.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]+").all()
    parts = local.str.split(".")
    assert (parts.str.len() == 2).all()
    women = people["gender"] == "F"
    # feminine surnames transliterated: Ivanova -> ivanova, Tolstaya -> tolstaja
    assert parts[women].str[1].str.endswith("a").all()
