"""Reference data every installation starts with (inserted by migrations).

Keep this stable: migrations that have already run import it.
"""

# D0: named by the clinic, then from the STS product information (SmPC). Each is a hard stop.
DEFAULT_CONTRAINDICATIONS = (
    ("Contraceptive pill", "clinic", "Is the patient taking the combined contraceptive pill?"),
    ("History of thrombosis", "clinic", "Has the patient ever had a thrombosis (blood clot)?"),
    ("Hormone replacement therapy or other high thrombosis risk", "SmPC",
     "Is the patient on HRT or otherwise at high risk of thrombosis?"),
    ("Recent deep vein thrombosis", "SmPC", "Has the patient had a deep vein thrombosis recently?"),
    ("Pulmonary embolism", "SmPC", "Has the patient had a pulmonary embolism?"),
    ("Thrombophlebitis", "SmPC", "Has the patient had thrombophlebitis recently?"),
    ("Recent surgery", "SmPC", "Has the patient had surgery recently?"),
    ("Unable to walk", "SmPC", "Is the patient unable to walk (immobile or bedbound)?"),
    ("Acute infection", "SmPC", "Does the patient have an acute infection?"),
    ("Pregnancy", "SmPC", "Is the patient pregnant?"),
    ("Allergy to sodium tetradecyl sulphate", "SmPC",
     "Is the patient known to be allergic to sodium tetradecyl sulphate?"),
)


def contraindication_rows() -> list[dict]:
    """The default contraindications as rows for the contraindications table."""
    return [{"name": name, "source": source, "question": question, "active": True,
             "position": n}
            for n, (name, source, question) in enumerate(DEFAULT_CONTRAINDICATIONS, start=1)]


# D2: the sclerosants a product may hold, with the short name its doses are labelled with.
DEFAULT_SCLEROSANTS = (
    ("sodium tetradecyl sulphate", "STS"),
    ("polidocanol", "polidocanol"),
)


def sclerosant_rows() -> list[dict]:
    """The default sclerosants as rows for the sclerosants table."""
    return [{"name": name, "short_name": short_name} for name, short_name in DEFAULT_SCLEROSANTS]


# D7: the location and storage area every installation starts with. Everything recorded before
# locations existed was moved there; a manager renames it and enters the regulator's id.
FIRST_LOCATION = {"id": 1, "name": "Main clinic", "address": "", "regulator_id": None,
                  "active": True, "deactivated_at": None, "deactivation_reason": None}
FIRST_STORAGE_AREA = {"id": 1, "location_id": 1, "name": "Drug cupboard",
                      "kind": "locked cupboard", "min_temp_c": "15.0", "max_temp_c": "25.0",
                      "active": True, "deactivated_at": None, "deactivation_reason": None}
