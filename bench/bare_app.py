"""The baseline: a bare Flask endpoint, served by gunicorn with the portal's settings."""

from flask import Flask

app = Flask(__name__)


@app.route("/", methods=["GET", "POST"])  # POST for the status lookup, GET for the log page
def index():
    return "ok"
