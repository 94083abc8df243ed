from .models import PLACEHOLDER_COMPANY_NAME, CompanyProfile


def company_profile() -> CompanyProfile:
    """The issuer profile. The data migration creates it; this recreates the placeholder
    if someone removed it by hand, so callers never see None."""
    profile = CompanyProfile.objects.order_by("pk").first()
    if profile is None:
        profile = CompanyProfile.objects.create(name=PLACEHOLDER_COMPANY_NAME)
    return profile
