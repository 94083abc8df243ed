from django.db.models import prefetch_related_objects

from .models import PLACEHOLDER_COMPANY_NAME, CompanyProfile
from .unitofwork import memoized

COMPANY_PROFILE_KEY = "backoffice.company_profile"


def company_profile() -> CompanyProfile:
    """The issuer profile, read once per unit of work. The data
    migration creates it; this recreates the placeholder if someone removed it by hand,
    so callers never see None."""
    return memoized(COMPANY_PROFILE_KEY, _load_company_profile)


def _load_company_profile() -> CompanyProfile:
    profile = CompanyProfile.objects.order_by("pk").first()
    if profile is None:
        profile = CompanyProfile.objects.create(name=PLACEHOLDER_COMPANY_NAME)
    return profile


def company_profile_with_bank_accounts() -> CompanyProfile:
    """The same profile with its bank accounts loaded (once per unit of work)."""
    profile = company_profile()
    prefetch_related_objects([profile], "bank_accounts")
    return profile
