"""Names of organizations in French sentences: the article they take after "de" and "à", elided and
contracted, and the verb that agrees with them."""
import pytest

from app.text import agree, with_preposition


@pytest.mark.parametrize("name, after_de, after_a", [
    ("Les Amis du Jardin de la Ménagerie", "des Amis du Jardin de la Ménagerie", "aux Amis du Jardin de la Ménagerie"),
    ("Le Secours populaire", "du Secours populaire", "au Secours populaire"),
    ("La Ville de Sceaux", "de la Ville de Sceaux", "à la Ville de Sceaux"),
    ("L'Épicerie solidaire", "de l'Épicerie solidaire", "à l'Épicerie solidaire"),
    ("L’Atelier vélo", "de l’Atelier vélo", "à l’Atelier vélo"),
    ("Épicerie solidaire de Sceaux", "de l'Épicerie solidaire de Sceaux", "à l'Épicerie solidaire de Sceaux"),
    ("Association des parents d'élèves", "de l'Association des parents d'élèves", "à l'Association des parents d'élèves"),
    ("Sceaux Valley", "de Sceaux Valley", "à Sceaux Valley"),
    ("Comité des fêtes", "de Comité des fêtes", "à Comité des fêtes"),
    ("Habitat et Humanisme", "de Habitat et Humanisme", "à Habitat et Humanisme"),
    ("Lesbos Solidarité", "de Lesbos Solidarité", "à Lesbos Solidarité"),  # not an article
])
def test_names_take_their_article_after_de_and_a(name, after_de, after_a):
    assert with_preposition(name, "de") == after_de
    assert with_preposition(name, "à") == after_a


@pytest.mark.parametrize("name, verb", [
    ("Les Amis du Jardin", "remercient"), ("L'Épicerie solidaire", "remercie"), ("Sceaux Valley", "remercie"),
])
def test_verbs_agree_with_plural_names(name, verb):
    assert agree(name, "remercie", "remercient") == verb


def test_the_templates_say_it_in_french(app):
    rendered = app.jinja_env.from_string(
        "{{ n }} vous {{ n|agree('remercie', 'remercient') }}. Vos reçus auprès {{ n|de }}, vos dons {{ n|to }}."
    ).render(n="Les Amis du Jardin")
    assert rendered == "Les Amis du Jardin vous remercient. Vos reçus auprès des Amis du Jardin, vos dons aux Amis du Jardin."
