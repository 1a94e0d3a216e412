"""The application layer: one eventsourcing Application with one method per use case."""

from services.app.applications import ApplicationUseCases
from services.app.base import Actor, NotFound, VersionConflict, postgres_env
from services.app.compliance import ComplianceUseCases
from services.app.date_corrections import DateCorrectionUseCases
from services.app.disclosures import DisclosureUseCases
from services.app.list_screening import ListScreeningUseCases
from services.app.organizations import OrganizationUseCases
from services.app.practitioners import PractitionerUseCases
from services.app.tasks import TaskUseCases
from services.app.user_accounts import UserAccountUseCases
from services.store.idempotency import Saved


class Credledger(
    OrganizationUseCases,
    DisclosureUseCases,
    UserAccountUseCases,
    PractitionerUseCases,
    TaskUseCases,
    ApplicationUseCases,
    DateCorrectionUseCases,
    ListScreeningUseCases,
    ComplianceUseCases,
):
    """All use cases over one event store (the table credledger_events)."""


__all__ = ["Actor", "Credledger", "NotFound", "Saved", "VersionConflict", "postgres_env"]
