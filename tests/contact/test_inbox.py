"""What agents and supervisors do with a conversation, through the inbox pages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Department
from contact import services
from contact.models import CannedReply, Conversation, Message
from core.errors import ActionRefused
from core.models import AuditEvent
from procedures.models import Case, CaseEvent

from .conftest import committed, employee, post_webhook, staff_client, wa_message

pytestmark = pytest.mark.django_db


def test_the_queue_lists_the_conversation_and_an_agent_claims_it(whatsapp_conversation, agent):
    client = staff_client(agent)
    page = client.get("/gestion/contacto/").content.decode()
    assert f"#{whatsapp_conversation.pk}" in page and "Cola del equipo" in page
    response = client.post(f"/gestion/contacto/{whatsapp_conversation.pk}/tomar/", follow=True)
    assert "La conversación es tuya." in response.content.decode()
    whatsapp_conversation.refresh_from_db()
    assert whatsapp_conversation.assignee == agent
    assert AuditEvent.objects.filter(action="conversation.claimed").count() == 1
    # Claimed: gone from the team queue, in "Mine".
    assert f"#{whatsapp_conversation.pk}" not in client.get("/gestion/contacto/").content.decode()
    mine = client.get("/gestion/contacto/bandeja/mine/").content.decode()
    assert f"#{whatsapp_conversation.pk}" in mine


def test_a_second_claim_is_told_who_has_it(whatsapp_conversation, agent, other_agent):
    services.claim(conversation_id=whatsapp_conversation.pk, user=agent)
    response = staff_client(other_agent).post(
        f"/gestion/contacto/{whatsapp_conversation.pk}/tomar/", follow=True
    )
    assert "agente@example.com tomó esta conversación antes." in response.content.decode()
    whatsapp_conversation.refresh_from_db()
    assert whatsapp_conversation.assignee == agent


def test_outsiders_and_residents_cannot_open_the_inbox(whatsapp_conversation, resident):
    stranger = employee("otra-area@example.com")
    assert staff_client(stranger).get("/gestion/contacto/").status_code == 403
    assert (
        staff_client(stranger).get(f"/gestion/contacto/{whatsapp_conversation.pk}/").status_code
        == 403
    )
    assert staff_client(resident).get("/gestion/contacto/").status_code == 403


def test_only_a_supervisor_reassigns(whatsapp_conversation, agent, other_agent, supervisor):
    with pytest.raises(ActionRefused, match="Solo un supervisor"):
        services.assign(conversation_id=whatsapp_conversation.pk, actor=agent, assignee=other_agent)
    client = staff_client(supervisor)
    assert (
        f"#{whatsapp_conversation.pk}"
        in client.get("/gestion/contacto/bandeja/all/").content.decode()
    )
    client.post(
        f"/gestion/contacto/{whatsapp_conversation.pk}/asignar/", {"assignee": other_agent.pk}
    )
    whatsapp_conversation.refresh_from_db()
    assert whatsapp_conversation.assignee == other_agent
    assert staff_client(agent).get("/gestion/contacto/bandeja/all/").status_code == 403


def test_an_agent_answers_with_a_canned_reply_and_a_procedure_page(
    whatsapp_conversation, agent, graph, version
):
    canned = CannedReply.objects.create(title="Saludo", body="¡Hola! Gracias por escribirnos.")
    client = staff_client(agent)
    page = client.get(f"/gestion/contacto/{whatsapp_conversation.pk}/").content.decode()
    assert "Saludo" in page and "Habilitación de prueba" in page
    with committed():
        client.post(
            f"/gestion/contacto/{whatsapp_conversation.pk}/responder/",
            {"canned": canned.pk, "procedure": "habilitacion-de-prueba", "text": ""},
        )
    out = Message.objects.get(direction="out")
    assert out.body.startswith("¡Hola! Gracias por escribirnos.")
    assert (
        "Habilitación de prueba: http" in out.body
        and "/tramites/habilitacion-de-prueba/" in out.body
    )
    assert graph.sent()[-1]["text"]["body"] == out.body
    whatsapp_conversation.refresh_from_db()
    assert whatsapp_conversation.assignee == agent  # answering an unclaimed one takes it
    assert whatsapp_conversation.status == "waiting"
    assert whatsapp_conversation.first_response_at is not None


def test_priority_and_tags_are_set_and_audited(whatsapp_conversation, agent):
    client = staff_client(agent)
    client.post(
        f"/gestion/contacto/{whatsapp_conversation.pk}/clasificar/",
        {"priority": "3", "tags": "Bache, urgente, bache"},
    )
    whatsapp_conversation.refresh_from_db()
    assert whatsapp_conversation.priority == 3 and whatsapp_conversation.tags == [
        "bache",
        "urgente",
    ]
    assert AuditEvent.objects.filter(action="conversation.classified").count() == 1
    bad = client.post(
        f"/gestion/contacto/{whatsapp_conversation.pk}/clasificar/", {"priority": "9"}, follow=True
    )
    assert "Elegí una prioridad de la lista." in bad.content.decode()


def test_an_empty_answer_is_refused_and_nothing_sent(whatsapp_conversation, agent, graph):
    response = staff_client(agent).post(
        f"/gestion/contacto/{whatsapp_conversation.pk}/responder/", {"text": "  "}, follow=True
    )
    assert "Escribí una respuesta" in response.content.decode()
    assert not Message.objects.filter(direction="out").exists() and graph.sent() == []


def test_filing_a_case_on_the_residents_behalf_records_the_whatsapp_channel(
    whatsapp_conversation, agent, version
):
    response = staff_client(agent).post(
        f"/gestion/contacto/{whatsapp_conversation.pk}/iniciar-tramite/",
        {"procedure": "habilitacion-de-prueba"},
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("procedures:draft_section", args=[case.pk, 0])
    assert case.channel == Case.Channel.WHATSAPP
    assert case.applicant == whatsapp_conversation.contact.user and case.filed_by == agent
    whatsapp_conversation.refresh_from_db()
    assert whatsapp_conversation.case == case


def test_filing_for_an_unknown_contact_asks_to_link_it_first(client, graph, team, agent, version):
    post_webhook(client, wa_message("wamid.X", "Hola", sender="5493415550000"))
    conversation = Conversation.objects.get()
    assert conversation.contact.user is None
    with pytest.raises(ActionRefused, match="vinculá este contacto"):
        services.file_case(
            conversation_id=conversation.pk, user=agent, procedure_code="habilitacion-de-prueba"
        )
    assert not Case.objects.exists()


def test_linking_a_case_puts_the_messages_on_its_staff_timeline(
    whatsapp_conversation, agent, version, resident
):
    from procedures.services import cases

    case = cases.start_draft(version=version, applicant=resident, filed_by=resident)
    Case.objects.filter(pk=case.pk).update(reference="ABC-123")
    with pytest.raises(ActionRefused, match="Ningún expediente"):
        services.link_case(conversation_id=whatsapp_conversation.pk, user=agent, reference="NOPE")
    services.link_case(conversation_id=whatsapp_conversation.pk, user=agent, reference="abc-123")
    note = CaseEvent.objects.get(case=case)
    assert note.public is False and "quiero habilitar mi kiosco" in note.message
    agent.groups.add(Department.objects.get(code="rentas").group)  # a department of its steps
    response = staff_client(agent).get("/gestion/expedientes/ABC-123/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Conversaciones del centro de atención" in page
    assert f"/gestion/contacto/{whatsapp_conversation.pk}/" in page


def test_resolving_asks_for_a_rating_once_and_a_whatsapp_5_records_it(
    client, whatsapp_conversation, agent, graph
):
    with committed():
        services.resolve(conversation_id=whatsapp_conversation.pk, user=agent)
    question = graph.sent()[-1]["text"]["body"]
    assert "del 1 (mal) al 5 (muy bien)" in question
    with pytest.raises(ActionRefused, match="ya está resuelta"):
        services.resolve(conversation_id=whatsapp_conversation.pk, user=agent)
    post_webhook(client, wa_message("wamid.RATE", "5"))
    whatsapp_conversation.refresh_from_db()
    assert whatsapp_conversation.csat_score == 5
    assert Conversation.objects.count() == 1  # the rating did not open a new conversation
    post_webhook(client, wa_message("wamid.NEW", "Otra consulta"))
    assert Conversation.objects.count() == 2


def test_an_email_resolution_asks_for_the_rating_by_link(client, team, agent, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "u:p"}
    contact = services.email_contact("vecino@example.net")
    with committed():
        message = services.receive(
            services.Inbound(
                channel="email", contact=contact, text="Consulta", external_id="<e1@x>"
            )
        )
        services.resolve(conversation_id=message.conversation_id, user=agent)
    conversation = Conversation.objects.get()
    assert f"/contacto/calificar/{conversation.csat_token}/" in mail.outbox[-1].body
    page = client.get(f"/contacto/calificar/{conversation.csat_token}/")
    assert "Calificá nuestra respuesta" in page.content.decode()
    client.post(
        f"/contacto/calificar/{conversation.csat_token}/", {"score": "4", "comment": "Bien"}
    )
    again = client.post(f"/contacto/calificar/{conversation.csat_token}/", {"score": "1"})
    assert "Ya calificaste" in again.content.decode()
    conversation.refresh_from_db()
    assert conversation.csat_score == 4 and conversation.csat_comment == "Bien"


def test_the_inbox_query_count_stays_flat(client, graph, team, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = staff_client(agent)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get("/gestion/contacto/").status_code == 200
        return len(queries)

    for i in range(3):
        post_webhook(client, wa_message(f"wamid.Q{i}", "Hola", sender=f"54911000000{i:02d}"))
    few = count()
    for i in range(3, 40):
        post_webhook(client, wa_message(f"wamid.Q{i}", "Hola", sender=f"54911000000{i:02d}"))
    assert count() == few
