from portal.catalog import load_catalog

REQUIRED_FORMS = {"I-90", "I-129F", "I-130", "I-131", "I-140", "I-485", "I-589", "I-601A",
                  "I-751", "I-765", "I-821D", "N-400", "G-639"}


def test_catalog_has_every_required_form_and_status_step():
    catalog = load_catalog()
    assert REQUIRED_FORMS <= set(catalog.forms)
    assert len(catalog.statuses) == 17
    assert [s.name for s in catalog.steps.values()][0] == "Acceptance"
    for status in catalog.statuses.values():
        assert status.explanation and status.next_step and status.step in catalog.steps


def test_survivor_forms_are_protected_by_form_type():
    forms = load_catalog().forms
    assert {code for code, form in forms.items() if form.protected} == {"I-360", "I-914", "I-918"}


def test_receipt_prefixes_map_to_their_offices():
    catalog = load_catalog()
    assert catalog.office_for_prefix("MSC").code == "NBC"
    assert catalog.office_for_prefix("EAC").code == "VSC"
    assert catalog.office_for_prefix("IOE").code == "ELIS"
    assert catalog.office_for_prefix("ZZZ") is None


def test_processing_times_are_labelled_sample_data():
    time = load_catalog().processing_time("I-485", "NBC")
    assert time.sample_data is True
    assert 1 < time.months < 120
