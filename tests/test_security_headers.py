"""Security headers on every page, and pages that a strict CSP can run (QUALITY.md items 8 and 1)."""
from html.parser import HTMLParser

from planner import create_app
from planner.extensions import db
from tests.conftest import PASSWORD, csrf_token_from
from tests.test_access_matrix import MATRIX, ROLES, act_as, app_rules, build_world, csrf_token, fill_url


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    """What is wrong with a response's security headers, as readable lines (empty when all is well)."""
    problems = []
    csp = _csp(response)
    script_sources = csp.get("script-src", csp.get("default-src"))
    if script_sources is None:
        problems.append("CSP sets no script-src or default-src")
    elif "'unsafe-inline'" in script_sources or "'unsafe-eval'" in script_sources:
        problems.append(f"CSP script-src allows inline code: {script_sources}")
    style_sources = csp.get("style-src", csp.get("default-src", []))
    if "'unsafe-inline'" in style_sources:
        problems.append(f"CSP style-src allows inline styles: {style_sources}")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append(f"CSP frame-ancestors is {csp.get('frame-ancestors')}, not 'none'")
    if csp.get("object-src") != ["'none'"]:
        problems.append(f"CSP object-src is {csp.get('object-src')}, not 'none'")
    expected = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                "Referrer-Policy": "strict-origin-when-cross-origin"}
    for name, value in expected.items():
        if response.headers.get(name) != value:
            problems.append(f"{name} is {response.headers.get(name)!r}, not {value!r}")
    return problems


class _InlineCode(HTMLParser):
    """Finds what a CSP without 'unsafe-inline' would block: inline scripts, styles and handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.found.append("<script> without src")
            self._in_inline_script = True
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            elif name.startswith("on"):
                self.found.append(f"{name}= handler on <{tag}>")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in <{tag} {name}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"inline script code: {data.strip()[:80]}")


def inline_code_in(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def _get_rules(app):
    return [rule for rule in app_rules(app) if "GET" in rule.methods]


def test_every_get_route_sends_the_security_headers(app, client, factories):
    world = build_world(factories)
    act_as(client, factories, world, "admin")
    values = world.a.url_values()
    problems = []
    for rule in _get_rules(app):
        url = fill_url(rule, values)
        response = client.get(url)
        if response.status_code >= 400:
            problems.append(f"GET {url}: {response.status_code}")
        problems += [f"GET {url}: {problem}" for problem in header_problems(response)]
        if "Strict-Transport-Security" in response.headers:
            problems.append(f"GET {url}: HSTS sent over plain http")
    assert not problems, "\n".join(problems)


def test_error_pages_and_the_login_page_send_the_security_headers(client):
    for url, status in (("/login", 200), ("/no-such-page", 404), ("/", 302), ("/logout", 405)):
        response = client.get(url)
        assert response.status_code == status, url
        assert not header_problems(response), (url, header_problems(response))


def test_the_header_check_catches_a_weak_policy(client):
    """The checker itself must fail a page whose policy allows inline scripts or framing."""
    response = client.get("/login")
    response.headers["Content-Security-Policy"] = "default-src 'self' 'unsafe-inline'; frame-ancestors *"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    problems = header_problems(response)
    assert any("script-src" in problem for problem in problems)
    assert any("frame-ancestors" in problem for problem in problems)
    assert any("X-Frame-Options" in problem for problem in problems)


def test_rendered_pages_have_no_inline_scripts_or_styles(app, client, factories):
    world = build_world(factories)
    anonymous_login = client.get("/login").get_data(as_text=True)
    act_as(client, factories, world, "admin")
    values = world.a.url_values()
    pages = {"GET /login (anonymous)": anonymous_login,
             "GET /no-such-page": client.get("/no-such-page").get_data(as_text=True)}
    for rule in _get_rules(app):
        url = fill_url(rule, values)
        response = client.get(url)
        if response.mimetype == "text/html":
            if response.mimetype == "text/html":
                pages[f"GET {url}"] = response.get_data(as_text=True)
    # forms re-rendered with their errors
    admin = ROLES.index("admin")
    token = csrf_token(client, True)
    for rule in app_rules(app):
        if MATRIX.get((rule.endpoint, "POST"), (None,) * len(ROLES))[admin] == 422:
            url = fill_url(rule, values)
            response = client.post(url, data={"csrf_token": token})
            assert response.status_code == 422, url
            pages[f"POST {url} (with errors)"] = response.get_data(as_text=True)
    assert len(pages) > 20
    assert "<script" in pages["GET /"], "the checker should see the page's external script"
    problems = [f"{page}: {found}" for page, html in pages.items() for found in inline_code_in(html)]
    assert not problems, "\n".join(problems)


def test_the_inline_checker_finds_inline_code():
    html = ('<script src="/static/js/app.js"></script><script>alert(1)</script>'
            '<p style="color:red" onclick="x()">hi</p><a href="javascript:void(0)">x</a>')
    found = inline_code_in(html)
    assert len(found) == 5, found


def test_over_http_there_is_no_hsts_and_the_session_cookie_is_not_secure(client):
    response = client.get("/login")
    assert "Strict-Transport-Security" not in response.headers
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "Secure" not in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_with_an_https_base_url_hsts_is_sent_and_cookies_are_secure(app, factories):
    user = factories.user()
    https_app = create_app({"BASE_URL": "https://planner.example",
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    try:
        client = https_app.test_client()
        response = client.get("/login")
        hsts = response.headers.get("Strict-Transport-Security", "")
        max_age = int(hsts.partition("max-age=")[2].split(";")[0] or 0)
        assert max_age >= 31536000, hsts
        assert not header_problems(response)
        session_cookie = response.headers["Set-Cookie"]
        assert session_cookie.startswith("session=")
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie

        # a Secure cookie only comes back over https, where Flask-WTF also checks the Referer
        https = {"base_url": "https://planner.test", "headers": {"Referer": "https://planner.test/login"}}
        token = csrf_token_from(client.get("/login", **https).get_data(as_text=True))
        logged_in = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y",
                                                "csrf_token": token}, **https)
        assert logged_in.status_code == 302
        cookies = {header.split("=", 1)[0]: header for header in logged_in.headers.getlist("Set-Cookie")}
        assert "Secure" in cookies["session"]
        assert "Secure" in cookies["remember_token"] and "SameSite=Lax" in cookies["remember_token"]
    finally:
        with https_app.app_context():
            db.engine.dispose()
