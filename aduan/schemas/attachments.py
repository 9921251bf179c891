"""Read models of evidence files (lampiran, issue 14 item 1)."""

from __future__ import annotations

from datetime import datetime

from aduan.schemas.views import View


class AttachmentView(View):
    """One evidence file of a case as the viewer may see it.

    An identity document (``identity``) shown to someone who does not see the complainant's
    identity unmasked is ``masked``: no name and no download.
    """

    id: int
    name: str
    content_type: str
    type_label: str
    size: int
    identity: bool
    masked: bool
    action: str
    uploaded_by: str
    uploaded_at: datetime
