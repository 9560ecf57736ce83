"""Pre-MHHS role eligibility of the catalogue's SRVs, transcribed from the DUIS
request matrix (``../shared/duis/duis-request-matrix.json``, 'Eligible User
Roles').  DUIS 5.4 predates MHHS, so no row names MDR: MDR eligibility is
002 Table 2 (:data:`mhhs_sec.model.tables.MDR_SRVS`).  A test compares this
transcription with the JSON file where that file is present.

Roles: IS Import Supplier, ES Export Supplier, GS Gas Supplier, ED Electricity
Distributor, GT Gas Transporter, OU Other User, RSA Registered Supplier Agent.
"""

from __future__ import annotations

from typing import Final

# SRV -> roles eligible to send it before MHHS (DUIS request matrix).
PRE_MHHS_ELIGIBILITY: Final[dict[str, frozenset[str]]] = {
    "4.1.1": frozenset({"IS", "GS", "ED", "GT"}),
    "4.2": frozenset({"ES", "ED"}),
    "4.6.1": frozenset({"IS", "GS"}),
    "4.6.2": frozenset({"ES"}),
    "4.8.1": frozenset({"IS", "GS", "ED", "GT", "OU"}),
    "4.8.2": frozenset({"IS", "ED", "OU"}),
    "4.8.3": frozenset({"ES", "ED", "OU"}),
    "4.17": frozenset({"IS", "GS", "ED", "GT", "OU"}),
    "5.1": frozenset({"IS", "ES", "GS", "ED", "GT", "OU"}),
    "5.2": frozenset({"IS", "ES", "GS", "ED", "GT", "OU"}),
    "5.3": frozenset({"IS", "ES", "GS", "ED", "GT", "OU"}),
    "8.2": frozenset({"IS", "ES", "GS", "RSA", "ED", "GT", "OU"}),
}
