"""The baseline: a bare Flask endpoint, served by gunicorn with the portal's settings."""

from flask import Flask

app = Flask(__name__)


@app.post("/")
def index():
    return "ok"
