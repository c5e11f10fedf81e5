"""A campaign shared on social networks or by email shows its title, summary and cover, through tags
and plain links only (no third-party script)."""
import re
from urllib.parse import quote


def test_the_campaign_page_carries_its_sharing_tags_and_plain_share_links(app, client, build):
    build.campaign(slug="jardin-partage", title="Un jardin partagé", summary="Des potagers au pied des immeubles.")
    page = client.get("/campagnes/jardin-partage").get_data(as_text=True)
    url = app.config["PUBLIC_URL"].rstrip("/") + "/campagnes/jardin-partage"
    assert '<meta property="og:title" content="Un jardin partagé">' in page
    assert '<meta property="og:description" content="Des potagers au pied des immeubles.">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta name="twitter:card" content="summary">' in page  # no cover yet
    assert f"facebook.com/sharer/sharer.php?u={quote(url, safe='/')}" in page
    assert 'href="mailto:?subject=' in page and f'value="{url}"' in page
    # Links only: no script from another site.
    assert not re.search(r'<script[^>]+src="https?://(?!127\.0\.0\.1)', page)
