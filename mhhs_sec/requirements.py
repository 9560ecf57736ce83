"""The project's requirement registry: every catalogue ID, its kind, what the
project takes it to mean (in the project's own words) and, for rows that are
not modelled, why.  The IDs and kinds are the catalogue's
(``../shared/spec/requirements.md``); ``mhhs-sec trace --check`` fails when the
catalogue has an ID this registry lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    kind: str  # rule | user | process | figure | out | interp
    meaning: str
    not_modelled: str = ""


def _r(id: str, kind: str, meaning: str, not_modelled: str = "") -> Requirement:
    return Requirement(id, kind, meaning, not_modelled)


_ROWS: Final = (
    _r("REG-1", "rule", "There is a user role MDR for retrieving meter data for settlement."),
    _r("REG-2", "rule", "Registration holds per MPAN the MDRA appointments (party, EFD, optional ETD)."),
    _r("REG-3", "rule", "A new MDRA's appointment starts at 00:00 of its EFD settlement day."),
    _r("REG-4", "rule", "An outgoing MDRA gets no data for settlement days from the incoming EFD on."),
    _r("REG-5", "rule", "Each MPAN has exactly one MDRA every day; registration with a gap or overlap is refused."),
    _r("REG-6", "rule", "Current and future MDRA appointments are both known and each applies on its own days."),
    _r("REG-7", "rule", "A Supplier that is its own MDRA uses its Supplier role; an agent MDRA needs the MDR role."),
    _r("REG-8", "interp", "Settlement days begin at UK local midnight (option: UTC); clock-change days have 46/50 periods."),
    _r("REG-9", "process", "MDR parties accede to the SEC and pass entry tests and assessments.",
       "Governance of parties joining the SEC; nothing a DCC system does at run time."),
    _r("REG-10", "rule", "An MDR's organisation certificate carries Remote Party Role 127, as an Other User's does."),
    _r("REG-11", "interp", "Option: a Supplier sends MHHS requests only as MDR (default off: REG-7 stands)."),
    _r("REG-12", "interp", "An ETD is the appointment's last day (option: exclusive, next EFD equals the ETD)."),
    _r("AC-1", "rule", "MDR may send only the eleven SRVs of 002 Table 2."),
    _r("AC-2", "rule", "Of the MDR SRVs only the five data logs may be DCC Scheduled; the rest are On Demand only."),
    _r("AC-3", "rule", "An MDR request is served only if the sender is the MDRA on every day it targets."),
    _r("AC-4", "interp", "A partly authorised period is rejected whole (option: only authorised days answered)."),
    _r("AC-5", "rule", "Only IS, ES and MDR may send requests flagged ForSettlement."),
    _r("AC-6", "rule", "MDR may send 4.1.1 to a SMETS1 ESME only, never to a SMETS2 device."),
    _r("AC-7", "rule", "MDR requests may target electricity meters only."),
    _r("AC-8", "rule", "SRVs whose SMETS1 TRT cell is N/A (4.6.2, 4.17) are refused for SMETS1 devices."),
    _r("AC-9", "rule", "No request is refused for volume or for repeating a read another user made."),
    _r("AC-10", "user", "The DCC does not check consumer consent; the user must.",
       "A user-side duty; the consent table is data (CON-1..3) for user-side checks."),
    _r("AC-11", "out", "Existing roles' access control beyond the sources (device kinds, MPxNs, NO and gas registration checks).",
       "DUIS and SEC text outside the sources; the model keeps a documented approximation that no vector's compared outcome depends on."),
    _r("FS-1", "rule", "A request may carry an optional ForSettlement flag."),
    _r("FS-2", "rule", "Every MDR request carries ForSettlement = true."),
    _r("FS-3", "user", "IS and ES set the flag only when the request is solely for MHHS.",
       "The DCC cannot see a Supplier's purpose; a user-side obligation."),
    _r("FS-4", "rule", "Network Operators and Other Users never set the flag."),
    _r("FS-5", "interp", "A request breaking FS-2 or FS-4 is refused (option: the flag is coerced and answered)."),
    _r("TRT-1", "rule", "The TRT of a request is its cell of 002 Table 3; N/A cells are not offered."),
    _r("TRT-2", "rule", "Every flagged MHHS data request has a 24 h TRT whoever sends it."),
    _r("TRT-3", "rule", "8.2 Read Inventory has a 30 s TRT in every cell."),
    _r("TRT-4", "rule", "A response inside its TRT conforms; one after it does not."),
    _r("TRT-5", "figure", "Existing-service TRTs: SMETS2 OD 30 s (4.8.1 5,600 s), SMETS1 OD 16 s, scheduled and 5.x 24 h."),
    _r("SCH-1", "rule", "Users create, read and delete DSP Schedules (owner, device, SRV, recurrence) with 5.1-5.3."),
    _r("SCH-2", "rule", "A user reads or deletes only its own schedules."),
    _r("SCH-3", "rule", "At the incoming EFD the outgoing MDRA's schedules go and it is alerted (option: kept, refused)."),
    _r("SCH-4", "rule", "MDR requests run only inside the MDR window; one outside is held until the window opens."),
    _r("SCH-5", "rule", "Retries of an MHHS read stop before the next day's DSP window opens at midnight."),
    _r("SCH-6", "user", "A user reads a new data set with a schedule first (option 'strict': the DCC enforces it)."),
    _r("SCH-7", "rule", "A schedule may be created only for a schedulable SRV by a user allowed to read that device."),
    _r("SCH-8", "interp", "MDR requests that read no device (5.x, 8.2) are answered at once (option: 5.x held like every MDRA request)."),
    _r("SCH-9", "interp", "A kept or EFD-day schedule run reading the day before the EFD is answered (option: refused, run day targeted)."),
    _r("C-1", "rule", "The S1SP caches 4.6.1, 4.8.1 and 4.8.3 responses only."),
    _r("C-2", "rule", "Only for a SMETS1 ESME with an active DSP Schedule for that SRV."),
    _r("C-3", "rule", "Only previous-day entries, or entries never retrieved before, are cached."),
    _r("C-4", "rule", "Cached data answers later requests from any party while held."),
    _r("C-5", "rule", "Cached data is held at most 25 h from retrieval and never served after."),
    _r("C-6", "rule", "Removing the DSP Schedule removes the cache of that device and SRV."),
    _r("C-7", "rule", "The cache never serves a party data that access control would refuse it."),
    _r("C-8", "rule", "After a device data restriction a 4.8.1 answer holds only later entries, except cached ones."),
    _r("C-9", "rule", "A request answered fully from the cache does not touch the device; a partial one reads the rest."),
    _r("C-10", "rule", "An answer from the cache equals what the device would have returned."),
    _r("C-11", "interp", "At exactly 25 h an entry has expired (option: still served at 25 h)."),
    _r("C-12", "interp", "'Not previously retrieved' means any entry never retrieved before (option: later than the latest retrieved)."),
    _r("C-13", "interp", "A DSP Schedule is active from its start date to its end date (option: from creation until deleted or ended)."),
    _r("AUD-1", "rule", "Every request, response and alert is recorded with its time."),
    _r("AUD-2", "rule", "A user reads only the audit records of its own requests."),
    _r("AUD-3", "interp", "An audit extract holds the user's requests and their responses (options: responses only; also alerts)."),
    _r("S1-1", "interp", "SMETS1 daily log entries are expected at exact midnight (option: a stated delay tolerated)."),
    _r("S1-2", "out", "GSME snapshot and tariff-block behaviour.", "Gas only; MHHS concerns electricity."),
    _r("S1-3", "out", "GSME/GPF profile log limits.", "Gas only."),
    _r("S1-4", "out", "AM 18.17 and 18.9(d) in general.", "Their text is not in the sources; 18.9(d) only as C-8 states it."),
    _r("S1-5", "out", "Service-provider internals (DCO TRT, DSP-CSP priority, compression, sizing).",
       "Not observable at the DCC User interface."),
    _r("CON-1", "user", "Half-hourly consent permits 4.1.1, 4.2, 4.6.1, 4.6.2, 4.8.1, 4.8.3, 4.17.",
       "User duty (AC-10); held as data in the consent table for user-side checks."),
    _r("CON-2", "user", "Daily consent permits 4.1.1, 4.2, 4.6.1, 4.6.2, 4.17.",
       "User duty (AC-10); held as data in the consent table."),
    _r("CON-3", "user", "Monthly consent permits 4.1.1 and 4.2.", "User duty (AC-10); held as data in the consent table."),
    _r("CON-4", "user", "Export data is always half-hourly; non-domestic customers cannot opt out.",
       "Consent facts about customers, not DCC behaviour."),
    _r("CON-5", "user", "Half-hourly collection is 48 intervals a day (46/50 on clock-change days) plus a monthly read.",
       "User collection pattern; the 46/50 count is modelled by the settlement clock (REG-8)."),
    _r("VOL-1", "figure", "Scenario A/B/C take-up and collection shares.", "Capacity planning inputs; no DCC behaviour."),
    _r("VOL-2", "figure", "Additional SRVs and data per day per scenario.", "Capacity planning outputs; no DCC behaviour."),
    _r("VOL-3", "figure", "Settlement runs 5-7 working days after, reconciliation 4 months after.",
       "Retention horizon of the settlement timetable; not a DCC rule."),
    _r("VOL-4", "figure", "DSP window about 00:00-06:00; MHHS windows of 8-13 hours.",
       "Used as the default windows of the service configuration (SCH-4)."),
)  # fmt: skip

REQUIREMENTS: Final[dict[str, Requirement]] = {r.id: r for r in _ROWS}
