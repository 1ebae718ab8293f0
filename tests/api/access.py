"""Access-matrix rows for the API-token pages (cookie sessions; merged into tests/test_access_matrix.py).

Same format as tests/risks/access.py: one status per role, in the order anonymous, admin, pm, pm_other,
committee, trainer, viewer, none. "login" means a 302 to the login page. POSTs carry a valid CSRF token and no
other field: creating a token posted empty answers 422; revoking a token id the user does not own is 404 (the
matrix's placeholder id belongs to nobody). The /api/v1 endpoints (``api.*``) are not in the matrix: they
authenticate by token only; tests/api/test_api_access.py covers them.
"""
LOGIN = "login"

#: every logged-in user manages their own tokens, whatever their roles
OWN = (LOGIN, 200, 200, 200, 200, 200, 200, 200)
OWN_POST = (LOGIN, 422, 422, 422, 422, 422, 422, 422)
#: a token id that is not the user's (the matrix's placeholder)
NOT_THEIRS = (LOGIN, 404, 404, 404, 404, 404, 404, 404)

ROWS: dict[tuple[str, str], tuple] = {
    # endpoint, method                                anonymous admin  pm  pm_other committee trainer viewer none
    ("api_tokens.list_tokens", "GET"):                OWN,
    ("api_tokens.list_tokens", "POST"):               OWN_POST,
    ("api_tokens.revoke_token", "POST"):              NOT_THEIRS,
}

#: revoking is refused, not performed: nothing to check for deletion
DELETES: dict = {}


#: placeholder -> model, for the check that another programme's objects are out of reach (tokens belong to a user,
#: not a programme: every role gets 404 for a token that is not theirs)
OBJECT_KEYS: dict = {}


def api_objects(programme) -> dict[str, int]:
    """A token of a user who has no role anywhere: nobody acting in the matrix may revoke it (call inside an app
    context; the caller commits)."""
    import secrets

    from planner.api.tokens import create_api_token
    from planner.auth.models import User
    from planner.extensions import db

    owner = User(email=f"token-owner-{secrets.token_hex(4)}@example.com", password_hash="$argon2id$unused")
    db.session.add(owner)
    db.session.flush()
    row, _token = create_api_token(owner, "Nightly report")
    return {"token_id": row.id}
