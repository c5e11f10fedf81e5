"""An organization's staff upload the signature printed on its receipts (and a stamp, a logo): real
PNG or JPEG images only, within the configured size; nobody else may touch them."""
import io

import pytest
from PIL import Image


def image_bytes(kind="PNG", size=(300, 100)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 30, 90)).save(buffer, kind)
    return buffer.getvalue()


def upload(client, headers, what, data, slug="asso-images", filename="image.png"):
    return client.put(f"/api/v1/organizations/{slug}/{what}", headers=headers,
                      data={what: (io.BytesIO(data), filename)}, content_type="multipart/form-data")


@pytest.fixture
def finance(actors):
    actors.organization("asso-images", signed=False)
    return actors.user("finance", organization="asso-images")


def stored(app, column):
    from app.extensions import db
    from campaigns import services

    with app.app_context():
        data = getattr(services.get_organization("asso-images"), column)
        db.session.rollback()
        return data


def test_a_finance_officer_uploads_a_png_signature_and_a_jpeg_stamp_kept_as_png(app, client, finance):
    response = upload(client, finance, "signature", image_bytes("PNG"))
    assert response.status_code == 200, response.json
    assert response.json["has_signature"] is True and response.json["has_stamp"] is False
    response = upload(client, finance, "stamp", image_bytes("JPEG"), filename="cachet.jpg")
    assert response.status_code == 200, response.json
    stamp = stored(app, "stamp_png")
    assert Image.open(io.BytesIO(stamp)).format == "PNG"  # converted: the receipt embeds PNG
    raw = client.put("/api/v1/organizations/asso-images/logo", headers={**finance, "Content-Type": "image/png"},
                     data=image_bytes("PNG", (120, 120)))
    assert raw.status_code == 200 and raw.json["has_logo"] is True
    removed = client.delete("/api/v1/organizations/asso-images/stamp", headers=finance)
    assert removed.status_code == 200 and removed.json["has_stamp"] is False
    assert stored(app, "stamp_png") is None and stored(app, "signature_png") is not None


def test_a_text_file_a_gif_or_an_oversized_image_is_refused_naming_the_field(app, client, finance):
    refused = upload(client, finance, "signature", b"Signature: Camille Petit\n", filename="signature.png")
    assert refused.status_code == 422 and "signature" in refused.json["errors"], refused.json
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert upload(client, finance, "signature", gif.getvalue()).status_code == 422
    app.config["ORGANIZATION_IMAGE_MAX_BYTES"] = 2_000
    try:
        big = upload(client, finance, "stamp", image_bytes("PNG", (1500, 1500)) + b"\0" * 3_000)
        assert big.status_code == 422 and "stamp" in big.json["errors"], big.json
    finally:
        app.config["ORGANIZATION_IMAGE_MAX_BYTES"] = 1024 * 1024
    huge = upload(client, finance, "logo", image_bytes("PNG", (5000, 4000)))  # small file, too many pixels
    assert huge.status_code == 422 and "logo" in huge.json["errors"]
    assert stored(app, "signature_png") is None and stored(app, "stamp_png") is None


def test_only_admins_and_the_organizations_finance_officers_may_change_its_images(client, actors, finance):
    actors.organization("autre-asso")
    other_finance = actors.user("finance", organization="autre-asso")
    holder = actors.user("holder", organization="asso-images")
    for headers in (other_finance, holder):
        assert upload(client, headers, "signature", image_bytes()).status_code == 404
        assert client.delete("/api/v1/organizations/asso-images/signature", headers=headers).status_code == 404
    assert upload(client, {}, "signature", image_bytes()).status_code == 401
    assert upload(client, actors.admin(), "signature", image_bytes()).status_code == 200
