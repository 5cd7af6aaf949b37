"""The no-work baseline: a Flask view that answers 201 with a small JSON body, served by the same gunicorn settings."""

from flask import Flask, jsonify

app = Flask("baseline")


@app.route("/v2/notifications/sms", methods=["POST"])
def accept() -> tuple[object, int]:
    return jsonify(id="00000000-0000-0000-0000-000000000000", reference=None), 201
