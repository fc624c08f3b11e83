"""The Flask application factory (portal.create_app re-exports it)."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from htmx_flask import Htmx

from portal import db, errors, i18n, logs, security
from portal.settings import PROJECT_ROOT, Settings
from portal.web import fragments


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    i18n.validate_offered_locales()
    logs.configure()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_dir.resolve()),
    )
    app.debug = settings.debug
    app.config["PORTAL_SETTINGS"] = settings
    app.config["BABEL_DEFAULT_LOCALE"] = i18n.DEFAULT_LOCALE
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    security.init_app(app, settings)
    Babel(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )
    i18n.install_template_helpers(app)
    fragments.install(app)
    Htmx(app)
    db.init_app(app, db.make_engine(settings.database_url))

    from portal.core.accounts import production_hasher, test_hasher
    from portal.web import (
        access,
        account,
        api,
        auth,
        cases,
        documents,
        log,
        public,
        representatives,
        requests,
        staff,
        staff_requests,
        statistics,
    )
    from portal.web import settings as account_settings

    app.extensions["portal.hasher"] = test_hasher() if settings.testing else production_hasher()
    auth.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(public.root)
    app.register_blueprint(account.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(account_settings.bp)
    app.register_blueprint(access.bp)
    app.register_blueprint(log.bp)
    app.register_blueprint(statistics.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(documents.verify_bp)
    app.register_blueprint(requests.bp)
    app.register_blueprint(staff_requests.bp)
    app.register_blueprint(representatives.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(api.bp)
    security.csrf.exempt(api.bp)
    errors.init_app(app)
    app.context_processor(public.page_context)
    return app
