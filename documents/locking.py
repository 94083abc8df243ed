"""Row locks of documents, each `select_for_update(of=("self",), no_key=True)`, evaluated at once.
The numbering counters lock themselves in their one UPDATE (documents.numbering)."""

from .models import IssuedDocument


def lock_revisions(base_number: str) -> list[IssuedDocument]:
    """Every revision of one base number, oldest first: two revisions of one quote are
    taken one after the other."""
    return list(
        IssuedDocument.objects.select_for_update(of=("self",), no_key=True)
        .filter(base_number=base_number)
        .order_by("revision")
    )
