"""Uploading and downloading a privacy request's files, for the requester and for staff alike:
checked by content (core.uploads), kept outside the web root, served only to those who may see
the request, as an attachment with a server-made name."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, request
from flask_babel import gettext as _

from portal.core import requests as pr
from portal.core.models import PrivacyRequest
from portal.core.uploads import MAX_BYTES, MEDIA_TYPES, UploadRefused
from portal.db import get_session
from portal.web.auth import current_user, now

REFUSALS = {
    "empty": lambda: _("Choose a file."),
    "too_big": lambda: _("The file is larger than 10 MB."),
    "wrong_type": lambda: _("Only PDF, JPEG and PNG files are accepted."),
    "active_content": lambda: _("This PDF contains scripts or embedded files; print it to a new PDF and try again."),
    "too_many_pixels": lambda: _("This image is too large; scan it at a lower resolution."),
}


def folder() -> Path:
    return current_app.config["PORTAL_SETTINGS"].instance_dir / "request_files"


def upload(privacy_request: PrivacyRequest, by_staff: bool) -> str | None:
    """Store the uploaded `file`; an error message for the form, or None when it was kept."""
    request.max_content_length = MAX_BYTES + 64 * 1024
    uploaded = request.files.get("file")
    data = uploaded.read(MAX_BYTES + 1) if uploaded else b""
    try:
        pr.attach_file(get_session(), privacy_request, current_user(), by_staff, data, folder(), now())
    except UploadRefused as refused:
        return REFUSALS[refused.reason]()
    except pr.TransitionRefused:
        return _("This request is closed.")
    return None


def download(privacy_request: PrivacyRequest, file_id: str) -> Response:
    row = pr.request_file(get_session(), privacy_request, file_id)
    response = Response((folder() / str(row.id)).read_bytes(), mimetype=MEDIA_TYPES[row.kind])
    extension = "jpg" if row.kind == "jpeg" else row.kind
    name = f"{privacy_request.tracking_number}-{row.id}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
