"""The IRS 147C letter is the IRS's confirmation of an Employer Identification Number: an enrollment needs it from
a filer with an EIN, never from a sole practitioner filing with its SSN (whose W-9 carries the SSN), who could
otherwise never submit."""

from __future__ import annotations

import pytest

from domain.application import Application, ApplicationKind
from domain.application_values import REQUIRED_DOCUMENTS, required_documents
from domain.dossier import DocumentType
from domain.errors import RuleViolation
from domain.tin import TinKind
from tests.domain.builders import SUBMITTED_ON, document, open_application


def _dossier_without_147c() -> Application:
    app = open_application(ApplicationKind.ENROLLMENT)
    for doc_type in REQUIRED_DOCUMENTS[ApplicationKind.ENROLLMENT] - {DocumentType.IRS_147C}:
        app.attach_document(document(doc_type), actor="user-1")
    return app


@pytest.mark.parametrize("tin_kind", [TinKind.EIN, None])
def test_an_ein_filer_submits_its_147c_letter(tin_kind: TinKind | None) -> None:
    app = _dossier_without_147c()
    with pytest.raises(RuleViolation) as refused:
        app.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], tin_kind=tin_kind, actor="user-1")
    assert refused.value.rule == "documents-missing" and "irs_147c" in refused.value.message


def test_a_sole_practitioner_filing_with_its_ssn_has_no_147c_to_give() -> None:
    app = _dossier_without_147c()
    app.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], tin_kind=TinKind.SSN, actor="user-1")
    assert app.submitted_on == SUBMITTED_ON
    assert required_documents(ApplicationKind.ENROLLMENT, TinKind.SSN) == (
        REQUIRED_DOCUMENTS[ApplicationKind.ENROLLMENT] - {DocumentType.IRS_147C}
    )
    assert DocumentType.W9 in required_documents(ApplicationKind.ENROLLMENT, TinKind.SSN)
