from flask import Blueprint

bp = Blueprint("changes", __name__)
