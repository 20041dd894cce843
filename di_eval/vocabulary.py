"""The shared codes of the domain, with their Latvian and English names."""

from __future__ import annotations

FIRST_YEAR = 2017
LAST_YEAR = 2023
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))

TARGET_GROUPS = {
    "FT": ("bērni ar funkcionāliem traucējumiem", "children with functional impairments"),
    "GRT": ("personas ar garīga rakstura traucējumiem", "adults with mental disorders"),
    "BSAC": (
        "bērni bērnu sociālās aprūpes centros",
        "children in children's social care centres",
    ),
}

# What the plan sets a regional target for: two target groups and the VSAC "Kurzeme" moves.
TARGETS = {
    "FT": ("bērni ar FT, kam pieejami pakalpojumi", "children with FT served close to home"),
    "GRT": ("personas ar GRT, kam pieejami pakalpojumi", "persons with GRT served close to home"),
    "VSAC": (
        'VSAC "Kurzeme" iemītnieki, kas sāk dzīvi pašvaldībā',
        'VSAC "Kurzeme" residents starting life in a municipality',
    ),
    "BSAC": (
        "bērni no BSAC ģimeniskai videi pietuvinātā pakalpojumā",
        "children from BSAC in family-like care",
    ),
}

SERVICES = {
    "social_rehabilitation": ("sociālā rehabilitācija", "social rehabilitation"),
    "care": ("aprūpe", "care"),
    "respite": ("atelpas brīdis", "respite"),
    "day_care": ("dienas aprūpe", "day care"),
    "group_apartment": ("grupu dzīvoklis", "group apartment"),
    "specialised_workshop": ("specializētā darbnīca", "specialised workshop"),
    "family_like_care": ("ģimeniskai videi pietuvināts pakalpojums", "family-like care"),
    "youth_home": ("jauniešu māja", "youth home"),
    "any": ("jebkurš pakalpojums (unikālas personas)", "any service (unique persons)"),
}

# Which services each target group can receive under the plan.
GROUP_SERVICES = {
    "FT": ("social_rehabilitation", "care", "respite", "day_care"),
    "GRT": ("social_rehabilitation", "care", "day_care", "group_apartment", "specialised_workshop"),
    "BSAC": ("family_like_care", "youth_home"),
}

FACILITY_TYPES = {
    "day_care_centre": ("dienas aprūpes centrs", "day-care centre"),
    "group_apartment": ("grupu dzīvokļi", "group apartments"),
    "specialised_workshop": ("specializētā darbnīca", "specialised workshop"),
    "family_like_home": ("ģimeniskai videi pietuvināta māja", "family-like home"),
    "youth_home": ("jauniešu māja", "youth home"),
    "respite_rooms": ("atelpas brīža telpas", "respite rooms"),
}

MILESTONES = {
    "construction_start": ("būvdarbu sākums", "construction start"),
    "construction_end": ("būvdarbu pabeigšana", "construction finished"),
    "service_opened": ("pakalpojuma uzsākšana", "service opened"),
}

FUNDS = {
    "ESF": ("Eiropas Sociālais fonds", "European Social Fund"),
    "ERDF": ("Eiropas Reģionālās attīstības fonds", "European Regional Development Fund"),
    "state": ("valsts budžets", "state budget"),
    "municipal": ("pašvaldības budžets", "municipal budget"),
    "total": ("kopā", "total"),
}

# The two programmes through which the plan is financed.
PROGRAMMES = {
    "ESF_services": ('ESF projekts "Kurzeme visiem" (pakalpojumi)', 'ESF project "Kurzeme visiem" (services)'),
    "ERDF_infrastructure": ("ERAF infrastruktūra (9.3.1.1.)", "ERDF infrastructure (9.3.1.1)"),
}

TRANSITIONS = {
    "vsac_to_municipality": (
        'VSAC "Kurzeme" iemītnieki, kas pārcēlušies uz pašvaldību',
        'VSAC "Kurzeme" residents moved to a municipality',
    ),
    "bsac_to_family_like_care": (
        "bērni no BSAC ģimeniskai videi pietuvinātā pakalpojumā",
        "children from BSAC moved to family-like care",
    ),
}

ACTIVITIES = {
    "needs_assessment_training": ("izvērtētāju apmācības", "training of assessors"),
    "vsac_staff_training": ("VSAC darbinieku apmācības", "training of VSAC staff"),
    "bsac_specialist_training": ("BSAC speciālistu apmācības", "training of BSAC specialists"),
    "general_provider_training": (
        "vispārējo pakalpojumu sniedzēju apmācības",
        "training of general service providers",
    ),
    "integration_camp": ("integrējošā nometne", "integration camp"),
    "communication_event": ("komunikācijas pasākums", "communication event"),
}

SUBMISSION_STATUSES = {
    "received": ("saņemts laikā", "received on time"),
    "late": ("saņemts ar nokavējumu", "received late"),
    "missing": ("nav saņemts", "not received"),
    "replaced": ("aizstāts ar jaunāku", "replaced by a newer file"),
}

STRUCTURES = ("2017", "2021")
LANGUAGES = ("lv", "en")


def label(codes: dict, code: str, lang: str = "lv") -> str:
    """The Latvian or English name of a code from one of the dictionaries above."""
    names = codes[code]
    return names[0] if lang == "lv" else names[1]
