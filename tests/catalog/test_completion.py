"""`catalog check` walks every type's form for every combination of its conditions."""

from io import StringIO

import pytest
from django.core.management import call_command

from procedures.catalog import load_catalog
from procedures.completion import completion_problems, condition_combinations
from procedures.forms import SectionForm

CATALOG = load_catalog()


def test_every_type_can_be_completed_for_every_combination_of_its_conditions():
    out = StringIO()
    call_command("catalog", "check", stdout=out)
    assert "The catalog is valid." in out.getvalue()


def test_the_walk_covers_each_value_a_condition_depends_on():
    debit = CATALOG.procedures["adhesion-debito-automatico"]
    assert condition_combinations(debit) == [
        {"operacion": "alta"},
        {"operacion": "baja"},
        {"operacion": "cambio"},
    ]
    assert completion_problems(debit, "types/adhesion-debito-automatico.yaml") == []


@pytest.mark.parametrize(
    ("operation", "expected"),
    [("alta", ["banco", "cbu", "cuit_titular_pago"]), ("baja", [])],
)
def test_a_condition_on_an_earlier_page_is_decided_by_the_server(operation, expected):
    debit = CATALOG.procedures["adhesion-debito-automatico"]
    form = SectionForm(
        definition=debit, section=debit.sections[1], known_answers={"operacion": operation}
    )
    assert list(form.fields) == expected
    # Nothing for the browser to evaluate: the answer is not on this page.
    assert not any("data-show-if" in f.widget.attrs for f in form.fields.values())


def test_a_walk_that_hides_a_required_field_is_reported(monkeypatch):
    """A page that hides required fields is reported, with the combination that leads there."""
    import procedures.completion as completion

    monkeypatch.setattr(completion, "_shown_by_script", lambda form, name, page: name == "tributo")
    debit = CATALOG.procedures["adhesion-debito-automatico"]
    problems = completion_problems(debit, "types/adhesion-debito-automatico.yaml")
    assert [p.key for p in problems] == ["sections[0]"] * 3
    assert "cannot be completed with operacion=alta: cuenta:" in problems[0].reason


def test_a_requirement_that_repeats_a_document_is_reported():
    from dataclasses import replace

    from procedures.catalog import LocalizedText
    from procedures.completion import repeated_requirements

    pension = CATALOG.procedures["exencion-tasas-jubilados"]
    assert repeated_requirements(pension, "x.yaml") == []
    repeated = replace(
        pension,
        requirements=(*pension.requirements, LocalizedText(es="Último recibo de haberes.")),
    )
    [problem] = repeated_requirements(repeated, "x.yaml")
    assert "recibo_haberes" in problem.reason
