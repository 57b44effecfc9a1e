"""To whom a recommendation is addressed, and which addressees a region or the national leads answer for.

Its own module because both the model (its field's choices) and the scoping rules (permissions.py, which the model
calls) need it: each imports it from here, and neither imports the other for it.
"""

from django.db import models


class Addressee(models.TextChoices):
    REGION = "region", "Region"
    PDU = "pdu", "Probation delivery unit"
    HMPPS = "hmpps", "HMPPS"
    MOJ = "moj", "Ministry of Justice"
    OTHER = "other", "Other"


REGIONAL_ADDRESSEES = (Addressee.REGION, Addressee.PDU)
NATIONAL_ADDRESSEES = (Addressee.HMPPS, Addressee.MOJ)
# The letter of each addressee in a reference (KSS-2026/R3); any other addressee is "O".
ADDRESSEE_CODES: dict[str, str] = {Addressee.REGION: "R", Addressee.PDU: "P", Addressee.HMPPS: "H", Addressee.MOJ: "M"}
