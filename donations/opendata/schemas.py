"""The published schemas of the open-data files (Table Schema, https://specs.frictionlessdata.io/table-schema/).

`FUNDING_SCHEMA` is this service's own, served at /donnees-ouvertes/financements.schema.json: its
fields are a promise to the people who reuse the file. Add a field at the end and bump the version;
never rename, retype or remove one.

`SCDL_SUBSIDIES_SCHEMA` is the national "subventions" schema of the Socle Commun des Données Locales
(OpenDataFrance), version 2.1.1, as published on schema.data.gouv.fr (scdl/subventions, checked on
27/11/2026), which carries the data the décret n° 2017-779 du 5 mai 2017 and the arrêté du
17 novembre 2017 ask a public body to publish for each subsidy agreement (article 10 of loi
n° 2000-321 du 12 avril 2000). Kept in scdl_subventions_2.1.1.json beside this file.
"""
import json
from pathlib import Path

FUNDING_SCHEMA_VERSION = "1.0.0"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
SCDL_SUBSIDIES_VERSION = "2.1.1"
SCDL_SUBSIDIES_SCHEMA = json.loads(
    (Path(__file__).with_name(f"scdl_subventions_{SCDL_SUBSIDIES_VERSION}.json")).read_text(encoding="utf-8"))
SCDL_SUBSIDIES_FIELDS = [field["name"] for field in SCDL_SUBSIDIES_SCHEMA["fields"]]


def _text(name, title, description, required=False, **constraints):
    field = {"name": name, "title": title, "description": description, "type": "string"}
    if required or constraints:
        field["constraints"] = {**({"required": True} if required else {}), **constraints}
    return field


FUNDING_FIELDS = [
    {"name": "mois", "title": "Mois", "type": "yearmonth", "format": "default",
     "description": "Mois (AAAA-MM, heure de Paris) où l'argent a été enregistré.",
     "constraints": {"required": True}},
    _text("campagne", "Campagne (identifiant)",
          "Identifiant de la campagne dans son adresse (/campagnes/<identifiant>) ; vide pour l'arrondi "
          "versé directement à une organisation."),
    _text("campagne_titre", "Titre de la campagne", "Titre de la campagne ; vide sans campagne."),
    _text("commune", "Commune", "Commune du projet ; vide sans campagne."),
    _text("code_insee", "Code INSEE de la commune", "Code officiel géographique de la commune du projet.",
          pattern=r"^[0-9][0-9AB][0-9]{3}$"),
    _text("organisation", "Organisation bénéficiaire", "Association ou organisme qui reçoit l'argent.",
          required=True),
    _text("organisation_siren", "SIREN de l'organisation", "Numéro SIREN (9 chiffres), s'il existe.",
          pattern=r"^[0-9]{9}$"),
    _text("organisation_rna", "RNA de l'organisation",
          "Numéro au Répertoire national des associations (W et 9 chiffres), s'il existe.", pattern=r"^W[0-9]{9}$"),
    _text("source", "Source (code)",
          "online : dons en ligne ; offline : chèques, espèces, virements ; company : mécénat d'entreprise ; "
          "roundup : arrondi en caisse ; match : abondement d'un partenaire ; grant : subvention ou don fixe "
          "d'un partenaire.", required=True, enum=["online", "offline", "company", "roundup", "match", "grant"]),
    _text("source_libelle", "Source", "La source en français.", required=True),
    _text("partenaire", "Partenaire", "Partenaire qui abonde ou subventionne (sources match et grant)."),
    _text("partenaire_siren", "SIREN du partenaire", "Numéro SIREN du partenaire, s'il est connu.",
          pattern=r"^[0-9]{9}$"),
    {"name": "montant_centimes", "title": "Montant en centimes", "type": "integer",
     "description": "Montant net des remboursements, en centimes d'euro (nombre entier).",
     "constraints": {"required": True, "minimum": 1}},
    {"name": "montant_euros", "title": "Montant en euros", "type": "number", "decimalChar": ".",
     "description": "Le même montant en euros, deux décimales, point décimal.",
     "constraints": {"required": True, "minimum": 0.01}},
    {"name": "nombre_contributions", "title": "Nombre de contributions", "type": "integer",
     "description": "Nombre de lignes (dons, abondements, versements d'arrondi) encore comptées.",
     "constraints": {"required": True, "minimum": 0}},
]
FUNDING_FIELD_NAMES = [field["name"] for field in FUNDING_FIELDS]


def funding_schema(base_url: str) -> dict:
    """The Table Schema of financements.csv and of the rows of financements.json."""
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "name": "financements-campagnes",
        "title": "Financement des campagnes par source et par mois",
        "description": "Argent reçu par chaque campagne (et arrondi versé aux organisations), par mois et par "
                       "source : habitants en ligne, dons hors ligne, mécénat, arrondi, chaque partenaire.",
        "version": FUNDING_SCHEMA_VERSION,
        "path": f"{base_url}/donnees-ouvertes/financements.schema.json",
        "licenses": [LICENCE],
        "missingValues": [""],
        "fields": FUNDING_FIELDS,
    }
