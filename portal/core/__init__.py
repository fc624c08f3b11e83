"""The domain, free of Flask: functions take a plain SQLModel Session and raise core.errors."""
