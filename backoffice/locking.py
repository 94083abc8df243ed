"""Row locks of backoffice, each `select_for_update(of=("self",), no_key=True)`, evaluated at once."""

from .models import CompanyProfile


def lock_company_profile(pk: int) -> CompanyProfile:
    """The issuer profile, while an admin changes it (two edits take turns)."""
    return CompanyProfile.objects.select_for_update(of=("self",), no_key=True).get(pk=pk)
