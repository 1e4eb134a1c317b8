"""Procedure content in the visitor's language, Spanish (marked as such) where a text has no
translation; `catalog check` reports how much is translated."""

from io import StringIO

import pytest
from django.core.management import call_command

from procedures.catalog import CATALOG_DIR, load_catalog
from procedures.services.catalog import sync_catalog
from tests.engine.conftest import make_catalog_dir

pytestmark = pytest.mark.django_db

TYPES = CATALOG_DIR / "types"
# The procedures residents file most (issue 9, item 12): every text they read on these is in
# English and Italian. The signed output stays Spanish (its body is a Spanish legal text);
# the steps name it in Spanish with a translation beside it.
MOST_FILED = (
    "adhesion-debito-automatico",
    "boleto-estudiantil",
    "cambio-domicilio-fiscal",
    "certificado-catastral",
    "certificado-libre-deuda",
    "denuncia-ruidos-molestos",
    "descargo-multa-transito",
    "habilitacion-comercial",
    "libre-deuda-multas",
    "licencia-de-conducir",
    "nota-mesa-de-entradas",
    "plan-de-pagos",
    "reclamo-alumbrado",
    "reclamo-bache",
    "reclamo-plazas-espacios-verdes",
    "reclamo-recoleccion-residuos",
    "retiro-residuos-voluminosos",
    "solicitud-poda-arbol",
    "tarifa-social",
    "turno-castracion-mascotas",
)
# Translated in full beyond those; a type here that loses a translation fails too.
ALSO_TRANSLATED = (
    "acceso-informacion-publica",
    "actualizacion-datos-proveedor",
    "alta-patente-automotor",
    "apertura-vereda-calzada",
    "asistencia-alimentaria",
    "ayuda-materiales-vivienda",
    "baja-comercio",
    "baja-patente-radicacion",
    "cambio-rubro",
    "cambio-titularidad-inmueble",
    "carnet-manipulador-alimentos",
    "certificado-uso-suelo",
    "constancia-inhumacion",
    "consulta-pago-proveedor",
    "control-plagas-espacio-publico",
    "declaracion-interes-municipal",
    "denuncia-ambiental",
    "denuncia-bromatologica",
    "denuncia-infraccion-consumo",
    "denuncia-obra-sin-permiso",
    "denuncia-terreno-baldio",
    "estacionamiento-discapacidad",
    "exencion-automotor-discapacidad",
    "exencion-tasas-jubilados",
    "extraccion-arbol",
    "final-de-obra",
    "habilitacion-transporte-escolar",
    "habilitacion-vehiculo-alimentos",
    "informe-socioambiental",
    "inscripcion-colonia-vacaciones",
    "inscripcion-talleres-culturales",
    "liberacion-vehiculo-retenido",
    "mesas-sillas-vereda",
    "numeracion-domiciliaria",
    "pedido-arbol-vereda",
    "pedido-senalizacion",
    "permiso-carga-descarga",
    "permiso-carteleria",
    "permiso-demolicion",
    "permiso-feriante",
    "permiso-trabajos-cementerio",
    "permiso-volquete",
    "reclamo-defensa-consumidor",
    "reduccion-restos",
    "registro-perros-potencialmente-peligrosos",
    "registro-profesionales-constructores",
    "regularizacion-obra",
    "reserva-espacio-calzada",
    "reserva-instalaciones-deportivas",
    "revision-liquidacion-tasa",
    "rubrica-libro-inspecciones",
    "subsidio-clubes-deportivos",
    "transferencia-habilitacion",
    "traslado-restos",
    "vehiculo-abandonado",
    "visado-planos-mensura",
)
NOTICE = {
    "en": "Part of this procedure's information is only available in Spanish",
    "it": "Parte delle informazioni di questa pratica è disponibile solo in spagnolo",
}


@pytest.fixture
def two_types(tmp_path):
    catalog = make_catalog_dir(
        tmp_path / "catalog",
        TYPES / "reclamo-bache.yaml",
        TYPES / "reclamo-desagues-pluviales.yaml",
    )
    sync_catalog(load_catalog(catalog))


@pytest.mark.parametrize(
    ("language", "summary", "step"),
    [
        ("en", "Report a pothole", "Inclusion in the pothole repair plan"),
        ("it", "Segnala una buca", "Inserimento nel piano di riparazione delle buche"),
    ],
)
def test_a_translated_procedure_reads_in_the_visitors_language(
    client, two_types, language, summary, step
):
    client.cookies["django_language"] = language
    page = client.get("/tramites/reclamo-bache/").content.decode()
    assert summary in page and step in page
    assert "Avisá si hay un bache" not in page
    assert NOTICE[language] not in page


def test_an_untranslated_procedure_says_it_is_shown_in_spanish(client, two_types):
    client.cookies["django_language"] = "en"
    page = client.get("/tramites/reclamo-desagues-pluviales/").content.decode()
    assert NOTICE["en"] in page
    assert '<span lang="es">' in page
    client.cookies["django_language"] = "es"
    assert NOTICE["en"] not in client.get("/tramites/reclamo-desagues-pluviales/").content.decode()


def test_catalog_check_reports_translation_coverage():
    out = StringIO()
    call_command("catalog", "check", stdout=out)
    report = out.getvalue()
    for language in ("en", "it"):
        line = next(x for x in report.splitlines() if x.startswith(f"Translation into {language}"))
        complete = int(line.split("; ")[1].split()[0])
        assert complete >= len(MOST_FILED + ALSO_TRANSLATED), line


@pytest.mark.parametrize("code", MOST_FILED + ALSO_TRANSLATED)
def test_translated_procedures_have_every_text_in_english_and_italian(code):
    definition = load_catalog(CATALOG_DIR).procedures[code]
    assert definition.audience == "resident"
    for language in ("en", "it"):
        missing = [t.es for t in definition.shown_texts() if not getattr(t, language)]
        assert not missing, f"{code} has no {language} text for: {missing}"


@pytest.fixture
def most_filed(tmp_path):
    catalog = make_catalog_dir(tmp_path / "catalog", *(TYPES / f"{c}.yaml" for c in MOST_FILED))
    sync_catalog(load_catalog(catalog))


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_most_filed_procedures_read_without_spanish(client, most_filed, language):
    client.cookies["django_language"] = language
    for code in MOST_FILED:
        page = client.get(f"/tramites/{code}/").content.decode()
        assert NOTICE[language] not in page, code
        assert '<span lang="es">' not in page, code
