"""The shared codes of the domain, with their Latvian and English names (each a ``Text``)."""

from __future__ import annotations

from di_eval.text import Text

FIRST_YEAR = 2017
LAST_YEAR = 2023
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))

# The region the plan is for, named once: as a name and in the genitive ("the region's").
REGION_NAME = Text("Kurzemes plānošanas reģions", "Kurzeme Planning Region")
REGION_OF = Text("Kurzemes plānošanas reģiona", "the Kurzeme Planning Region's")

TARGET_GROUPS = {
    "FT": Text("bērni ar funkcionāliem traucējumiem", "children with functional impairments"),
    "GRT": Text("personas ar garīga rakstura traucējumiem", "persons with mental disorders"),
    "BSAC": Text("bērni bērnu sociālās aprūpes centros", "children in children's social care centres"),
}

# What the plan sets a regional target for: two target groups and the VSAC "Kurzeme" moves.
TARGETS = {
    "FT": Text("bērni ar FT, kam pieejami pakalpojumi", "children with FT served close to home"),
    "GRT": Text("personas ar GRT, kam pieejami pakalpojumi", "persons with GRT served close to home"),
    "VSAC": Text(
        "VSAC „Kurzeme“ iemītnieki, kas sāk dzīvi pašvaldībā",
        "VSAC “Kurzeme” residents starting life in a municipality",
    ),
    "BSAC": Text("bērni no BSAC ģimeniskai videi pietuvinātā pakalpojumā", "children from BSAC in family-like care"),
}

SERVICES = {
    "social_rehabilitation": Text("sociālā rehabilitācija", "social rehabilitation"),
    "care": Text("aprūpe", "care"),
    "respite": Text("atelpas brīdis", "respite"),
    "day_care": Text("dienas aprūpe", "day care"),
    "group_apartment": Text("grupu dzīvoklis", "group apartment"),
    "specialised_workshop": Text("specializētā darbnīca", "specialised workshop"),
    "family_like_care": Text("ģimeniskai videi pietuvināts pakalpojums", "family-like care"),
    "youth_home": Text("jauniešu māja", "youth home"),
    "any": Text("jebkurš pakalpojums (personas, katra skaitīta vienu reizi)", "any service (unique persons)"),
}

# Which services each target group can receive under the plan.
GROUP_SERVICES = {
    "FT": ("social_rehabilitation", "care", "respite", "day_care"),
    "GRT": ("social_rehabilitation", "care", "day_care", "group_apartment", "specialised_workshop"),
    "BSAC": ("family_like_care", "youth_home"),
}

FACILITY_TYPES = {
    "day_care_centre": Text("dienas aprūpes centrs", "day-care centre"),
    "group_apartment": Text("grupu dzīvokļi", "group apartments"),
    "specialised_workshop": Text("specializētā darbnīca", "specialised workshop"),
    "family_like_home": Text("ģimeniskai videi pietuvināta māja", "family-like home"),
    "youth_home": Text("jauniešu māja", "youth home"),
    "respite_rooms": Text("atelpas brīža telpas", "respite rooms"),
}

MILESTONES = {
    "construction_start": Text("būvdarbu sākums", "construction start"),
    "construction_end": Text("būvdarbu pabeigšana", "construction finished"),
    "service_opened": Text("pakalpojuma uzsākšana", "service opened"),
}

FUNDS = {
    "ESF": Text("Eiropas Sociālais fonds", "European Social Fund"),
    "ERDF": Text("Eiropas Reģionālās attīstības fonds", "European Regional Development Fund"),
    "state": Text("valsts budžets", "state budget"),
    "municipal": Text("pašvaldības budžets", "municipal budget"),
    "total": Text("kopā", "total"),
}

# The two programmes through which the plan is financed.
PROGRAMMES = {
    "ESF_services": Text("ESF projekts „Kurzeme visiem“ (pakalpojumi)", "ESF project “Kurzeme visiem” (services)"),
    "ERDF_infrastructure": Text("ERAF infrastruktūra (9.3.1.1.)", "ERDF infrastructure (9.3.1.1)"),
}

TRANSITIONS = {
    "vsac_to_municipality": Text(
        "VSAC „Kurzeme“ iemītnieki, kas pārcēlušies uz pašvaldību", "VSAC “Kurzeme” residents moved to a municipality"
    ),
    "bsac_to_family_like_care": Text(
        "bērni no BSAC ģimeniskai videi pietuvinātā pakalpojumā", "children from BSAC moved to family-like care"
    ),
}

ACTIVITIES = {
    "needs_assessment_training": Text("izvērtētāju apmācības", "training of assessors"),
    "vsac_staff_training": Text("VSAC darbinieku apmācības", "training of VSAC staff"),
    "bsac_specialist_training": Text("BSAC speciālistu apmācības", "training of BSAC specialists"),
    "general_provider_training": Text(
        "vispārējo pakalpojumu sniedzēju apmācības", "training of general service providers"
    ),
    "integration_camp": Text("integrējošā nometne", "integration camp"),
    "communication_event": Text("komunikācijas pasākums", "communication event"),
}

SUBMISSION_STATUSES = {
    "received": Text("saņemts laikā", "received on time"),
    "late": Text("saņemts ar nokavējumu", "received late"),
    "missing": Text("nav saņemts", "not received"),
    "replaced": Text("aizstāts ar jaunāku", "replaced by a newer file"),
}

STRUCTURES = ("2017", "2021")
LANGUAGES = ("lv", "en")


def label(codes: dict, code: str, lang: str = "lv") -> str:
    """The Latvian or English name of a code from one of the dictionaries above."""
    return codes[code](lang)
