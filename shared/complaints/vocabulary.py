"""The guidance's own words for complaints."""

from __future__ import annotations

from enum import StrEnum


class ComplainantKind(StrEnum):
    """Who complains (R1): the person, or someone acting for them (elected members included)."""

    PARTICIPANT = "participant"
    CUSTOMER = "customer"
    CLAIMANT = "claimant"
    EMPLOYER = "employer"
    REPRESENTATIVE = "representative"
    APPOINTEE = "appointee"
    MP = "mp"
    MSP = "msp"
    MS_AM = "ms_am"
    MLA = "mla"
    MEP = "mep"


ELECTED_MEMBERS = frozenset(
    {ComplainantKind.MP, ComplainantKind.MSP, ComplainantKind.MS_AM, ComplainantKind.MLA, ComplainantKind.MEP}
)


class ComplaintAbout(StrEnum):
    PROVIDER = "provider"
    JOBCENTRE = "jobcentre"  # the Jobcentre or another DWP business
    MIXED = "mixed"  # both: the Jobcentre leads (000 14.03)


class Channel(StrEnum):
    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    WEB_FORM = "web_form"
    IN_PERSON = "in_person"
    ELECTED_MEMBER = "elected_member"


class Category(StrEnum):
    """DWP's mandatory high-level categories (004 Annex 2 Part A §8, a to f) (R6)."""

    NOT_TREATED_WITH_RESPECT = "a_staff_dont_treat_me_with_respect"
    NOT_GIVEN_INFORMATION = "b_not_given_the_information_i_need"
    CANNOT_ACCESS_SERVICES = "c_cant_access_your_services"
    TAKE_TOO_LONG = "d_you_take_too_long"
    GOT_IT_WRONG = "e_youve_got_it_wrong"
    MANY_AGENCIES = "f_have_to_contact_a_number_of_agencies"


class ComplaintStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class AcknowledgementMethod(StrEnum):
    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in_person"
    TEXT_MESSAGE = "text_message"


class RaisedVia(StrEnum):
    """Who brought the complaint (R9; 003): no time limit applies when an MP, ICE or PHSO raises it."""

    COMPLAINANT = "complainant"
    ELECTED_MEMBER = "elected_member"
    ICE = "ice"
    PHSO = "phso"


class AgreementEvidence(StrEnum):
    """Acceptable evidence of the customer's agreement to the complaints procedure (002 8.02)."""

    SIGNATURE = "signature"
    EMAIL = "email"


class DiscussionParty(StrEnum):
    """Who the discussion was with (001 Annex 2 3.3): the complainant or their representative."""

    COMPLAINANT = "complainant"
    REPRESENTATIVE = "representative"


class OutcomeKind(StrEnum):
    """What was done to resolve an element (R8; 001 Annex 2 5.5)."""

    EXPLANATION = "explanation"
    ASSURANCE = "assurance"
    INFORMATION = "information"
    APOLOGY = "apology"
    CORRECTIVE_ACTION = "corrective_action"
    FINANCIAL_REDRESS = "financial_redress"


class DraftStatus(StrEnum):
    """An AtW draft response's standing with the AtW Service Delivery team (002 8.03)."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REWORDING_REQUESTED = "rewording_requested"
    SUPERSEDED = "superseded"
    SENT = "sent"


class RedirectionReason(StrEnum):
    """Why a provider redirects a complaint to the Jobcentre (R3)."""

    PROGRAMME_POLICY = "programme_policy"  # about programme policy, e.g. IPES policy (000 14.09)
    MIXED_COMPLAINT = "mixed_complaint"  # against both provider and Jobcentre: the Jobcentre leads (14.03-14.04, 14.20)


class StageOwner(StrEnum):
    """Who answers a stage (R21, R25): the provider, or the Jobcentre (or another DWP business) leading it."""

    PROVIDER = "provider"
    JOBCENTRE = "jobcentre"


class DgCaselistReason(StrEnum):
    """Why a complaint is held on the Director General caselist (R26; 003: "e.g., high profile or parliamentary
    contact")."""

    HIGH_PROFILE = "high_profile"
    PARLIAMENTARY_CONTACT = "parliamentary_contact"
