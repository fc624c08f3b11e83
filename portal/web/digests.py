"""Queue the access-log digests that are due (run hourly by the job worker, or `portal digests`)."""

from __future__ import annotations

from flask import current_app, url_for

from portal.core import digests
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import now, send_mail
from portal.web.messages import N_

log = get_logger("digests")

SUBJECT = N_("New entries in the log of who accessed your data")


def deliver_access_digests() -> int:
    session, moment = get_session(), now()
    base = current_app.config["PORTAL_SETTINGS"].base_url
    sent = 0
    for user in digests.due_digests(session, moment):
        if digests.has_news(session, user, moment):
            link = base + url_for("log.index", lang_code=user.preferred_language)
            send_mail(user.email, user.preferred_language, "access_digest", SUBJECT,
                      period=user.access_digest, link=link)
            sent += 1
        digests.mark_told(session, user, moment)
    if sent:
        log.info("access digests queued", extra={"count": sent})
    return sent
