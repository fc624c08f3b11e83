"""Queue the case-alert e-mails the core recorded: in each account's language, naming no case,
no status and no person, only what kind of change it was and a link to sign in and see it."""

from __future__ import annotations

from portal.core.alerts import mark_sent, pending_alerts
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import now, send_mail
from portal.web.messages import N_

log = get_logger("alerts")

SUBJECT = N_("There is an update on one of your cases")


def deliver_case_alerts() -> int:
    from flask import current_app, url_for

    session = get_session()
    base = current_app.config["PORTAL_SETTINGS"].base_url
    alerts = pending_alerts(session)
    for alert in alerts:
        link = base + url_for("cases.detail", lang_code=alert.language, link_id=alert.link_id)
        send_mail(alert.email, alert.language, "case_alert", SUBJECT, kind=alert.kind, link=link)
        mark_sent(session, alert.alert_id, now())
    session.commit()
    if alerts:
        log.info("case alerts queued", extra={"count": len(alerts)})
    return len(alerts)
