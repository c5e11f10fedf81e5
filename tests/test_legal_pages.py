"""The pages a public body must publish, linked from every page's footer, in French."""


def test_every_page_links_the_legal_notice_the_privacy_notice_and_the_accessibility_statement(client):
    for path in ("/", "/connexion", "/mentions-legales"):
        page = client.get(path).get_data(as_text=True)
        for link in ('href="/mentions-legales"', 'href="/confidentialite"', 'href="/accessibilite"'):
            assert link in page, (path, link)


def test_the_legal_notice_names_the_publisher_and_host_from_configuration(app, client):
    app.config.update(LEGAL_PUBLISHER="Ville de Sceaux", LEGAL_DIRECTOR="Mme la maire",
                      LEGAL_HOST="Hébergeur public", LEGAL_HOST_ADDRESS="1 rue de l'Exemple, 75000 Paris")
    page = client.get("/mentions-legales").get_data(as_text=True)
    for fact in ("Ville de Sceaux", "Mme la maire", "Hébergeur public", "1 rue de l&#39;Exemple, 75000 Paris"):
        assert fact in page, fact
    app.config["LEGAL_HOST"] = ""
    assert "Non renseigné" in client.get("/mentions-legales").get_data(as_text=True)


def test_the_privacy_notice_says_what_is_kept_why_how_long_and_the_rights(app, client):
    app.config["LEGAL_DPO_CONTACT"] = "dpo@sceaux.example"
    page = client.get("/confidentialite").get_data(as_text=True)
    for fact in ("six ans", "L102 B", "dpo@sceaux.example", "effacement", "CNIL", "Stripe"):
        assert fact in page, fact


def test_the_accessibility_statement_is_honest_and_gives_the_remedy(client):
    page = client.get("/accessibilite").get_data(as_text=True)
    for fact in ("RGAA 4.1", "non conforme", "Défenseur des droits", "09 69 39 00 00", "Déclaration établie le"):
        assert fact in page, fact


def test_the_favicon_and_the_towns_logo_come_from_configuration(app, client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg">' in page and 'class="brand-logo"' not in page
    assert client.get("/static/favicon.svg").status_code == 200
    app.config.update(SITE_LOGO_URL="/static/logo-sceaux.png", SITE_FAVICON_URL="/static/sceaux.ico")
    page = client.get("/connexion").get_data(as_text=True)
    assert '<img class="brand-logo" src="/static/logo-sceaux.png" alt="">' in page
    assert '<link rel="icon" href="/static/sceaux.ico">' in page
