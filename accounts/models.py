from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager["User"]):
    """Users log in with their e-mail address; there is no username."""

    def _create_user(self, email: str, password: str | None, **extra_fields: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: object
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: object
    ) -> User:
        extra_fields.update(is_staff=True, is_superuser=True, role=User.Role.EMPLOYEE)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        EMPLOYEE = "employee", _("Municipal employee")
        SUPPLIER = "supplier", _("Supplier")

    class DocumentType(models.TextChoices):
        DNI = "dni", _("DNI")
        CUIT = "cuit", _("CUIT/CUIL")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.RESIDENT, db_index=True
    )
    document_type = models.CharField(
        _("document type"), max_length=8, choices=DocumentType.choices, blank=True
    )
    document_number = models.CharField(_("document number"), max_length=11, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    verified_phone = models.CharField(
        _("confirmed WhatsApp number"),
        max_length=20,
        blank=True,
        default="",
        # In the database too: code that predates the column (old migrations' states) inserts
        # users without it.
        db_default="",
        db_index=True,
        help_text=_("International digits, confirmed by a code the resident received there."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_number"],
                condition=~models.Q(document_number=""),
                name="unique_identity_document",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_employee(self) -> bool:
        return self.role == self.Role.EMPLOYEE

    @property
    def is_resident(self) -> bool:
        return self.role == self.Role.RESIDENT

    @property
    def is_supplier_user(self) -> bool:
        return self.role == self.Role.SUPPLIER

    @property
    def profile_complete(self) -> bool:
        return bool(self.full_name and self.document_number and self.address)


class Department(models.Model):
    """A municipal department. Membership and permissions live in its auth group."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="department", verbose_name=_("group")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class PhoneVerification(models.Model):
    """A one-time code sent to a resident's phone; confirming it marks the number verified."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_verifications"
    )
    phone = models.CharField(_("number"), max_length=20)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed on"), null=True, blank=True)
    send_error = models.CharField(_("why it could not be sent"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")

    def __str__(self) -> str:
        return f"{self.user_id} +{self.phone}"
