"""Every limit of D4, named once; the rules, reports and texts are built from these."""

from datetime import timedelta

# Rule 4: a course is at most this many sessions, whatever a prescription authorises.
MAX_SESSIONS_PER_COURSE = 6
# Rule 5: sessions of a patient are at least this many days apart.
MIN_DAYS_BETWEEN_SESSIONS = 28
# Flag: a gap of more than six weeks between sessions.
LONG_GAP_WEEKS = 6
LONG_GAP_DAYS = LONG_GAP_WEEKS * 7
# Flags: an entry recorded, or a session signed, more than this long after the event.
LATE_AFTER_HOURS = 24
LATE_AFTER = timedelta(hours=LATE_AFTER_HOURS)
# Flag: a batch used this many days or fewer before it expires; the default of the
# NEAR_EXPIRY_DAYS setting, which the rules are given.
NEAR_EXPIRY_DAYS = 30
# A prescription is valid for at most this many days after the day it is valid from.
MAX_PRESCRIPTION_VALIDITY_DAYS = 365
# A follow-up is due within this many days of a session: clots may be removed within two
# weeks (D0).
FOLLOW_UP_WITHIN_DAYS = 14
