"""Helpers shared by the tests and the benchmarks (`from tests.support import ...`; bench scripts put
the repository's root on sys.path first): a free loopback port, waiting for a server to listen on it,
calling functions in threads released at the same instant, and the list of the project's modules."""
import re
import socket
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "campaigns", "donations", "receipts")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=20.0):
    """Return once something accepts connections on 127.0.0.1:`port`; RuntimeError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


def run_concurrently(work, count=None, *, timeout=60.0, return_exceptions=False):
    """Call `work(index)` for index in range(`count`) — or each callable of `work` when `count` is
    None — each in its own thread, all released together by a barrier, and return their results in
    order. An exception is returned in its place when `return_exceptions` is true, else the first
    one (in order) is raised once every thread has ended. TimeoutError if a thread is still running
    after `timeout` seconds."""
    calls = [lambda index=index: work(index) for index in range(count)] if count is not None else list(work)
    barrier = threading.Barrier(len(calls), timeout=timeout)
    outcomes, errors = [None] * len(calls), {}

    def run(index):
        try:
            barrier.wait()
            outcomes[index] = calls[index]()
        except BaseException as error:  # noqa: BLE001 - handed to the caller below
            errors[index] = outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [index for index, thread in enumerate(threads) if thread.is_alive()]
    if stuck:
        raise TimeoutError(f"calls {stuck} still running after {timeout}s")
    if errors and not return_exceptions:
        raise errors[min(errors)]
    return outcomes


def project_modules():
    """(dotted name, path relative to the root, Path) of every module of the packages, by path."""
    files = (path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))
    for path in sorted(path for path in files if "__pycache__" not in path.parts):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path.relative_to(ROOT).as_posix(), path


def csrf_from(html):
    """The CSRF token of the first form of a page's HTML."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def sign_in_as_latest(client, app, email_prefix, password="correct horse battery"):
    """Sign in through /connexion as the latest user whose email starts with `email_prefix` (the
    password tests/conftest.py gives its users), after signing out whoever was signed in."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        address = db.session.scalar(select(User.email).where(User.email.like(f"{email_prefix}%"))
                                    .order_by(User.id.desc()))
    client.post("/deconnexion", data={"csrf_token": csrf_from(client.get("/connexion").text)})
    signed_in = client.post("/connexion", data={"email": address, "password": password,
                                                "csrf_token": csrf_from(client.get("/connexion").text)})
    assert signed_in.status_code == 302, signed_in.text


def sign_in_browser(page, base_url, email, password="correct horse battery"):
    """Sign in through the /connexion form of a Playwright page, as a person would."""
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def violations(page):
    """axe-core's violations on the page, as "rule: first element" lines (empty when there are none)."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['help']}" for v in found]


def sideways(page):
    """How many CSS pixels the page is wider than the screen (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def check_on_phones(page, what):
    """axe-clean at 390 px, nothing wider than a 320 px screen (RGAA 10.11), then back to 390 px."""
    assert violations(page) == [], what
    page.set_viewport_size({"width": 320, "height": 720})
    assert sideways(page) <= 0, (what, sideways(page))
    page.set_viewport_size({"width": 390, "height": 844})


def emailed_path(app, address, path_pattern, subject_part=""):
    """The path of the link (matching the regex `path_pattern`, e.g. r"/mot-de-passe/\\S+") in the
    newest email of the outbox to `address` whose subject holds `subject_part`."""
    import email
    from email import policy

    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address and subject_part in str(message["Subject"]):
            found = re.search(r"https?://[^/\s]+(" + path_pattern + ")", message.get_body().get_content())
            if found:
                return found.group(1)
    raise AssertionError(f"no email to {address} with a link {path_pattern}")
