from flask import Blueprint

bp = Blueprint("comms", __name__)
