"""The procedure catalog: the real YAML files, and the validator's error reports."""

from __future__ import annotations

import copy
import time
import timeit
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from procedures.catalog import (
    CATALOG_DIR,
    FIELD_KINDS,
    Catalog,
    CatalogInvalid,
    FeeSpec,
    LocalizedText,
    load_catalog,
    parse_procedure,
    validate_catalog,
)

REQUIRED_CODES = {
    "exencion-tasas-jubilados",
    "reclamo-defensa-consumidor",
    "devolucion-pago-duplicado",
    "habilitacion-comercial",
    "certificado-libre-deuda",
    "solicitud-poda-arbol",
    "reclamo-alumbrado",
    "reclamo-bache",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# --- The real catalog ---------------------------------------------------------------


def test_real_catalog_has_no_errors():
    assert validate_catalog(CATALOG_DIR) == []


def test_real_catalog_loads_well_under_a_second():
    # best of three in CPU time, so that a busy CI machine does not make the test flaky
    assert min(timeit.repeat(load_catalog, number=1, repeat=3, timer=time.process_time)) < 1.0


def test_counts_per_audience(catalog):
    assert len(catalog.for_audience("resident")) >= 81
    assert len(catalog.for_audience("internal")) >= 49


def test_required_types_exist(catalog):
    assert REQUIRED_CODES - catalog.procedures.keys() == set()


def test_every_field_kind_is_used_in_at_least_five_types(catalog):
    uses = Counter(k for p in catalog.procedures.values() for k in {f.kind for f in p.fields})
    assert {kind: uses[kind] for kind in FIELD_KINDS if uses[kind] < 5} == {}


def test_content_stays_within_the_editorial_limits(catalog):
    procedures = catalog.procedures.values()
    assert sum(any(f.show_if for f in p.fields) for p in procedures) >= 10
    assert {p.fee.kind for p in procedures} == {"none", "fixed", "computed"}
    assert {p.output.kind for p in procedures} == {
        "certificate",
        "resolution",
        "acknowledgement",
        "none",
    }
    for p in procedures:
        assert 3 <= len(p.fields) <= 12, p.code
        assert 1 <= len(p.sections) <= 3, p.code
        assert sum(d.required for d in p.documents) <= 4, p.code
        assert p.online_payment == (p.fee.kind != "none"), p.code
        assert p.audience == "resident" or p.fee.kind == "none", p.code
        assert all(p.name.get(lang) for lang in ("es", "en", "it")), p.code


def test_every_definition_round_trips_through_plain_data(catalog):
    for p in catalog.procedures.values():
        assert parse_procedure(p.to_dict()) == p, p.code


def test_output_renders_labels_and_argentine_formats(catalog):
    refund = catalog.procedures["devolucion-pago-duplicado"]
    answers = {
        "fecha_pago": date(2025, 3, 4),
        "cuenta": "12345",
        "monto": Decimal("15000.5"),
        "forma_devolucion": "transferencia",
    }
    context = {"case_number": "EXP-7", "applicant_name": "Ana Pérez", "applicant_id": "30111222"}
    text = refund.render_output(answers, context)
    assert "del 04/03/2025 sobre la cuenta 12345" in text
    assert "$15.000,50 por el medio elegido: Transferencia a mi cuenta bancaria." in text


def test_show_if_matches_choice_multichoice_and_yesno_answers(catalog):
    refund = catalog.procedures["devolucion-pago-duplicado"]
    condition = refund.field("cbu").show_if
    assert condition.matches("transferencia")
    assert not condition.matches("compensacion")
    bulky = catalog.procedures["retiro-residuos-voluminosos"].field("otros_elementos").show_if
    assert bulky.matches(["muebles", "otros"]) and not bulky.matches(["muebles"])
    spouse = catalog.procedures["exencion-tasas-jubilados"].field("dni_conyuge").show_if
    assert spouse.matches(True) and spouse.matches("yes") and not spouse.matches(False)


def test_localized_text_falls_back_to_spanish():
    text = LocalizedText(es="Hola", en="Hello")
    assert (text.get("en-us"), text.get("it"), text.get("es")) == ("Hello", "Hola", "Hola")


# --- Broken definitions -------------------------------------------------------------


def _definition() -> dict[str, Any]:
    """A small valid procedure type; tests break one thing at a time."""
    return {
        "code": "poda",
        "audience": "resident",
        "category": "ambiente",
        "name": {"es": "Poda", "en": "Pruning", "it": "Potatura"},
        "summary": "Pedí una poda.",
        "description": "Espacios Verdes evalúa el árbol.",
        "who_can_apply": "Frentistas.",
        "requirements": ["Dirección del árbol."],
        "steps": ["Completá el formulario."],
        "result": "Una constancia.",
        "fee": {"kind": "none"},
        "deadline_business_days": 30,
        "sections": [
            {
                "title": "Árbol",
                "fields": [
                    {
                        "name": "motivo",
                        "kind": "choice",
                        "label": "Motivo",
                        "choices": [
                            {"value": "cables", "label": "Cables"},
                            {"value": "seco", "label": "Árbol seco"},
                        ],
                    },
                    {"name": "ubicacion", "kind": "address", "label": "Dirección"},
                    {"name": "metros", "kind": "number", "label": "Altura", "min_value": 0},
                ],
            }
        ],
        "review_steps": [
            {"code": "evaluacion", "name": "Evaluación", "department": "verdes", "kind": "review"}
        ],
        "output": {
            "kind": "acknowledgement",
            "title": "Constancia",
            "body": "Recibimos el pedido para {ubicacion}, número {case_number}.",
        },
    }


def _write_catalog(
    root: Path, *definitions: dict[str, Any], names: list[str] | None = None
) -> Path:
    (root / "types").mkdir()
    category = {
        "code": "ambiente",
        "name": {"es": "Ambiente", "en": "Environment", "it": "Ambiente"},
    }
    department = {
        "code": "verdes",
        "name": {"es": "Espacios Verdes", "en": "Parks", "it": "Verde"},
        "permission": "act_for_verdes",
    }
    (root / "categories.yaml").write_text(yaml.safe_dump([category]), encoding="utf-8")
    (root / "departments.yaml").write_text(yaml.safe_dump([department]), encoding="utf-8")
    for i, definition in enumerate(definitions):
        name = names[i] if names else f"{definition['code']}.yaml"
        text = yaml.safe_dump(definition, allow_unicode=True, sort_keys=False)
        (root / "types" / name).write_text(text, encoding="utf-8")
    return root


def _errors_for(tmp_path: Path, definition: dict[str, Any]) -> list[tuple[str, str, str]]:
    errors = validate_catalog(_write_catalog(tmp_path, definition))
    return [(e.file, e.key, e.reason) for e in errors]


def test_the_small_definition_is_valid(tmp_path):
    assert _errors_for(tmp_path, _definition()) == []


def _field(d: dict[str, Any], index: int) -> dict[str, Any]:
    return d["sections"][0]["fields"][index]


def _typo(d):
    _field(d, 1)["lable"] = _field(d, 1).pop("label")


def _bad_department(d):
    d["review_steps"][0]["department"] = "verde"


def _float_money(d):
    d["fee"] = {"kind": "fixed", "amount": 1500.5}


def _show_if_unknown(d):
    _field(d, 1)["show_if"] = {"field": "motiv", "equals": "seco"}


def _show_if_later(d):
    _field(d, 0)["show_if"] = {"field": "ubicacion", "equals": "x"}


def _show_if_impossible(d):
    _field(d, 1)["show_if"] = {"field": "motivo", "equals": ["seco", "viejo"]}


def _placeholder_unknown(d):
    d["output"]["body"] = "Recibimos el pedido de {nombre}."


def _placeholder_optional(d):
    _field(d, 1)["required"] = False


def _duplicate_field(d):
    _field(d, 2)["name"] = "motivo"


def _duplicate_choice(d):
    _field(d, 0)["choices"][1]["value"] = "cables"


def _unit_field_not_number(d):
    d["fee"] = {"kind": "computed", "per_unit": "100.00", "unit_field": "ubicacion"}


def _by_choice_missing_amount(d):
    d["fee"] = {"kind": "computed", "by_choice": {"field": "motivo", "amounts": {"seco": "10.00"}}}


def _by_choice_not_choice(d):
    d["fee"] = {"kind": "computed", "by_choice": {"field": "metros", "amounts": {"a": "1.00"}}}


def _fee_when_unknown(d):
    d["fee"] = {"kind": "fixed", "amount": "100.00", "when": "al_final"}


def _fee_when_without_fee(d):
    d["fee"] = {"kind": "none", "when": "on_filing"}


def _missing_key(d):
    del d["who_can_apply"]


def _name_without_italian(d):
    del d["name"]["it"]


def _deadline_out_of_range(d):
    d["deadline_business_days"] = 0


def _document_named_like_field(d):
    d["documents"] = [{"name": "ubicacion", "label": "Plano", "accept": ["text/plain"]}]


BROKEN = [
    (_typo, "sections[0].fields[1].lable", "unknown key 'lable' (did you mean 'label'?)"),
    (_typo, "sections[0].fields[1].label", "missing required key"),
    (_bad_department, "review_steps[0].department", "unknown department 'verde'"),
    (_float_money, "fee.amount", 'quoted string with two decimals, like "1500.00"'),
    (_float_money, "fee.amount", '(here "1500.50")'),
    (_show_if_unknown, "sections[0].fields[1].show_if.field", "unknown field 'motiv'"),
    (_show_if_later, "sections[0].fields[0].show_if.field", "comes later in the form"),
    (_show_if_impossible, "sections[0].fields[1].show_if.equals[1]", "'viejo' is never a value"),
    (_placeholder_unknown, "output.body", "placeholder {nombre} is not a field"),
    (_placeholder_optional, "output.body", "must be required and without show_if"),
    (_duplicate_field, "sections[0].fields[2].name", "duplicate field name 'motivo'"),
    (_duplicate_choice, "sections[0].fields[0].choices[1].value", "duplicate choice value"),
    (_unit_field_not_number, "fee.unit_field", "per_unit multiplies a number or money field"),
    (_by_choice_missing_amount, "fee.by_choice.amounts", "missing amounts for: cables"),
    (_by_choice_not_choice, "fee.by_choice.field", "by_choice needs a choice field"),
    (_fee_when_unknown, "fee.when", "'al_final' is not one of: on_filing, before_output"),
    (_fee_when_without_fee, "fee.when", "does not apply to a fee of kind none"),
    (_missing_key, "who_can_apply", "missing required key"),
    (_name_without_italian, "name.it", "missing required key"),
    (_deadline_out_of_range, "deadline_business_days", "must be between 1 and 180"),
    (_document_named_like_field, "documents[0].name", "is also a field name"),
    (_document_named_like_field, "documents[0].accept[0]", "'text/plain' is not one of"),
]


@pytest.mark.parametrize(("breaks", "key", "reason"), BROKEN)
def test_broken_definition_is_reported_precisely(tmp_path, breaks, key, reason):
    definition = _definition()
    breaks(definition)
    errors = _errors_for(tmp_path, definition)
    matching = [e for e in errors if e[1] == key and reason in e[2]]
    assert matching, errors
    assert all(file == "types/poda.yaml" for file, _, _ in errors)


def test_duplicate_code_and_file_name_mismatch(tmp_path):
    errors = validate_catalog(
        _write_catalog(tmp_path, _definition(), _definition(), names=["poda.yaml", "tala.yaml"])
    )
    assert [(e.file, e.key) for e in errors] == [("types/tala.yaml", "code")] * 2
    reasons = " | ".join(e.reason for e in errors)
    assert "the file must be named after the code: poda.yaml" in reasons
    assert "duplicate code 'poda' (also in types/poda.yaml)" in reasons


def test_unknown_category_is_reported(tmp_path):
    definition = _definition()
    definition["category"] = "ambientes"
    reason = "unknown category 'ambientes' (did you mean 'ambiente'?)"
    assert ("types/poda.yaml", "category", reason) in _errors_for(tmp_path, definition)


def test_yaml_traps_are_explained(tmp_path):
    root = _write_catalog(tmp_path, _definition())
    path = root / "types" / "poda.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("value: seco", "value: no"), encoding="utf-8")
    [error] = validate_catalog(root)
    assert error.key == "sections[0].fields[0].choices[1].value"
    assert "YAML reads unquoted yes/no" in error.reason
    path.write_text(text + "fee:\n  kind: none\n", encoding="utf-8")
    [error] = validate_catalog(root)
    line = len(text.splitlines()) + 1
    assert (error.key, error.reason.split(":")[0]) == ("", f"invalid YAML at line {line}, column 1")
    assert "duplicate key 'fee'" in error.reason


def test_load_catalog_raises_with_every_error(tmp_path):
    definition = _definition()
    _bad_department(definition)
    _float_money(definition)
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(_write_catalog(tmp_path, definition))
    assert {e.key for e in raised.value.errors} == {"review_steps[0].department", "fee.amount"}
    assert "types/poda.yaml: fee.amount:" in str(raised.value)


# --- Fees ---------------------------------------------------------------------------


def test_fee_none_and_fixed():
    assert FeeSpec("none").compute({}) == Decimal("0.00")
    assert str(FeeSpec("fixed", amount=Decimal("3800.00")).compute({})) == "3800.00"


def test_fee_per_unit_rounds_half_up_to_cents():
    fee = FeeSpec("computed", base=Decimal("1000.00"), per_unit=Decimal("12.35"), unit_field="m2")
    assert str(fee.compute({"m2": Decimal("1.5")})) == "1018.53"  # 1018.525
    assert str(fee.compute({"m2": 2})) == "1024.70"
    assert str(fee.compute({"m2": "0.1"})) == "1001.24"  # 1001.235


def test_fee_by_choice_and_combined(catalog):
    building = catalog.procedures["permiso-edificacion"].fee
    answers = {"destino": "comercial", "superficie_m2": Decimal("120.50")}
    assert str(building.compute(answers)) == "152475.00"  # 8000 + 950 × 120.5 + 30000
    niche = catalog.procedures["renovacion-arrendamiento-nicho"].fee
    assert str(niche.compute({"categoria_nicho": "tercera"})) == "36000.00"
    with pytest.raises(ValueError, match="no amount for categoria_nicho='quinta'"):
        niche.compute({"categoria_nicho": "quinta"})
    with pytest.raises(ValueError, match="needs a number in 'superficie_m2'"):
        building.compute({"destino": "comercial"})


def test_fee_parsed_from_yaml_matches_its_definition(tmp_path):
    definition = _definition()
    definition["fee"] = {
        "kind": "computed",
        "base": "500.00",
        "per_unit": "0.33",
        "unit_field": "metros",
    }
    [procedure] = load_catalog(_write_catalog(tmp_path, definition)).procedures.values()
    assert procedure.online_payment
    assert str(procedure.fee.compute({"metros": 7})) == "502.31"
    assert procedure.fee.paid_when == "on_filing"  # the default, left out of the hash


def test_fee_paid_before_the_output(tmp_path):
    definition = _definition()
    definition["fee"] = {"kind": "fixed", "amount": "800.00", "when": "before_output"}
    [procedure] = load_catalog(_write_catalog(tmp_path, definition)).procedures.values()
    assert procedure.fee.paid_when == "before_output"
    assert procedure.to_dict()["fee"]["when"] == "before_output"


# --- Content hash -------------------------------------------------------------------


def test_content_hash_is_stable_across_loads(catalog):
    again = load_catalog()
    assert {c: p.content_hash() for c, p in catalog.procedures.items()} == {
        c: p.content_hash() for c, p in again.procedures.items()
    }


def test_content_hash_ignores_formatting_but_not_content(tmp_path):
    original = _definition()
    reordered = dict(reversed(list(copy.deepcopy(original).items())))
    reordered["summary"] = {"es": "Pedí una poda.  "}  # shorthand vs mapping, stray spaces
    changed = copy.deepcopy(original)
    _field(changed, 1)["label"] = "Dirección del árbol"

    def hash_of(definition: dict[str, Any], folder: str) -> str:
        root = tmp_path / folder
        root.mkdir()
        [procedure] = load_catalog(_write_catalog(root, definition)).procedures.values()
        return procedure.content_hash()

    assert hash_of(original, "a") == hash_of(reordered, "b")
    assert hash_of(original, "c") != hash_of(changed, "d")
    assert len(hash_of(original, "e")) == 64
