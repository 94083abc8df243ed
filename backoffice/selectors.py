from django.db.models import prefetch_related_objects

from .models import PLACEHOLDER_COMPANY_NAME, CompanyProfile


def company_profile() -> CompanyProfile:
    """The issuer profile, read now (one query). A service that needs it in several steps
    reads it once and passes it down. The data migration creates it; this recreates the
    placeholder if someone removed it by hand, so callers never see None."""
    profile = CompanyProfile.objects.order_by("pk").first()
    if profile is None:
        profile = CompanyProfile.objects.create(name=PLACEHOLDER_COMPANY_NAME)
    return profile


def company_profile_with_bank_accounts(profile: CompanyProfile | None = None) -> CompanyProfile:
    """The profile with its bank accounts loaded: `profile` when the caller holds it (no
    query when its accounts are loaded already), else the profile read now."""
    profile = profile or company_profile()
    prefetch_related_objects([profile], "bank_accounts")
    return profile
