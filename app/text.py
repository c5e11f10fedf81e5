"""Small text helpers shared by the packages."""
import re
import unicodedata


def slugify(value, max_length=80):
    """`Les Amis de l'Île Verte` -> `les-amis-de-l-ile-verte`."""
    ascii_text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


# French names after a preposition: "de" + "Les Amis du Jardin" is "des Amis du Jardin", "à" + "Le
# Secours populaire" is "au Secours populaire", "de" + "Épicerie solidaire" is "de l'Épicerie
# solidaire". A name without an article that starts with a consonant stays as it is ("de Sceaux
# Valley"): its gender cannot be guessed, and a proper name takes no article.
_ARTICLES = (("les ", {"de": "des ", "à": "aux "}), ("le ", {"de": "du ", "à": "au "}),
             ("la ", {"de": "de la ", "à": "à la "}), ("l'", {"de": "de l'", "à": "à l'"}),
             ("l’", {"de": "de l’", "à": "à l’"}))
# An initial h is left alone: whether it is mute ("l'Harmonie") or aspirate ("le Hameau") is a
# matter of the dictionary, and "de Harmonie" reads better than "de l'Hameau".
_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"


def _starts_with_vowel(word):
    return bool(word) and word[0].lower() in _VOWELS


def with_preposition(name, preposition):
    """`name` after `preposition` ("de" or "à"), with the article it takes, contracted and elided."""
    name = (name or "").strip()
    lowered = name.lower()
    for article, contracted in _ARTICLES:
        if lowered.startswith(article):
            return contracted[preposition] + name[len(article):]
    if _starts_with_vowel(name):
        return f"{preposition} l'{name}"
    return f"{preposition} {name}"


def is_plural(name):
    """Whether a name is grammatically plural ("Les Amis du Jardin vous remercient")."""
    return (name or "").strip().lower().startswith("les ")


def agree(name, singular, plural):
    """The verb form that agrees with `name`: agree("Les Amis", "remercie", "remercient")."""
    return plural if is_plural(name) else singular
