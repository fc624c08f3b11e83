"""The immigration case transparency portal.

`create_app` is imported lazily so that `portal.core` (the Flask-free domain) and the catalog can
be imported by workers, scripts and tests without loading Flask.
"""


def create_app(settings=None):
    from portal.app import create_app as factory

    return factory(settings)
