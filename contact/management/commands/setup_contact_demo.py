"""Demo teams, service levels, canned replies and two conversations for `make run` (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Department, User
from contact import services
from contact.models import CannedReply, Channel, Contact, Membership, SlaPolicy, Team

TEAMS = (
    # code, name, keywords, menu option, department, default channels
    (
        "atencion",
        "Atención al vecino",
        "",
        "1",
        None,
        [Channel.WHATSAPP, Channel.EMAIL, Channel.WEB],
    ),
    ("rentas", "Rentas", "tasa, tasas, impuesto, deuda, abl, plan", "2", "rentas", []),
    ("obras", "Obras y servicios", "bache, luminaria, poda, arbol, basura", "3", None, []),
)
MEMBERS = (
    ("mesa@demo.municipio.ar", "atencion", False),
    ("rentas@demo.municipio.ar", "rentas", False),
    ("admin@demo.municipio.ar", "atencion", True),
    ("admin@demo.municipio.ar", "rentas", True),
    ("admin@demo.municipio.ar", "obras", True),
)
CANNED = (
    ("Saludo", "¡Hola! Gracias por escribir al municipio. ¿En qué te podemos ayudar?", ""),
    (
        "Seguimos en contacto",
        "Hola, te escribimos por tu consulta. ¿Seguís necesitando ayuda?",
        "seguimiento_consulta",
    ),
    ("Horarios", "Atendemos de lunes a viernes de 8 a 20 y los sábados de 9 a 13.", ""),
)


class Command(BaseCommand):
    help = "Creates the contact centre's demo teams, replies and conversations (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        teams = {}
        for code, name, keywords, option, department, channels in TEAMS:
            team, _created = Team.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "keywords": keywords,
                    "menu_option": option,
                    "channels": channels,
                    "department": Department.objects.filter(code=department).first()
                    if department
                    else None,
                },
            )
            SlaPolicy.objects.get_or_create(
                team=team,
                channel="",
                defaults={
                    "first_response_minutes": 60,
                    "next_response_minutes": 120,
                    "resolution_minutes": 960,
                },
            )
            teams[code] = team
        for email, code, supervisor in MEMBERS:
            user = User.objects.filter(email=email).first()
            if user:
                Membership.objects.get_or_create(
                    team=teams[code], user=user, defaults={"supervisor": supervisor}
                )
        for title, body, template in CANNED:
            CannedReply.objects.get_or_create(
                title=title, defaults={"body": body, "whatsapp_template": template}
            )
        if not Contact.objects.exists():
            resident = User.objects.filter(email="vecina@demo.municipio.ar").first()
            whatsapp = services.whatsapp_contact("5491155550101", "Carlos Gómez")
            services.receive(
                services.Inbound(
                    channel=Channel.WHATSAPP,
                    contact=whatsapp,
                    external_id="wamid.demo-1",
                    text="Hola, hay un bache enorme en la esquina de San Martín y Belgrano.",
                )
            )
            if resident:
                services.write_from_portal(
                    user=resident,
                    subject="Plan de pagos",
                    text="¿Puedo pagar la tasa de ABL atrasada en cuotas?",
                )
        self.stdout.write(
            self.style.SUCCESS(
                "Contact centre: /gestion/contacto/ (mesa@, rentas@, admin@ supervises); "
                "residents: /contacto/mis-consultas/"
            )
        )
