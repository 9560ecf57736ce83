"""The Service Audit Trail (AUD-1..AUD-3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


@dataclass
class AuditTrail:
    """AUD-1: every response and alert with its time; AUD-3 chooses what an extract shows."""

    extract_holds: str = "requests-and-responses"
    records: list[Json] = field(default_factory=list)

    def request(self, reference: str, user_id: str, at: str, code: str = "") -> None:
        """AUD-1: the request as received (shown under AUD-3's default; the
        record's shape: outputs.schema.json, audit_extract): no code, or I99
        for a held request."""
        self.records.append({"at": at, "code": code, "kind": "request", "reference": reference, "user_id": user_id})

    def response(self, output: Json) -> None:
        self.records.append(
            {
                "at": output["responded_at"],
                "code": output["code"],
                "kind": "response",
                "reference": output["request_id"],
                "user_id": output["user_id"],
            }
        )

    def alert(self, output: Json) -> None:
        # outputs.schema.json: an alert record's reference is its schedule id as decimal text
        reference = str(output["schedule_id"])
        self.records.append(
            {"at": output["at"], "code": output["code"], "kind": "alert", "reference": reference,
             "user_id": output["recipient"]}
        )  # fmt: skip

    def extract(self, user_id: str) -> Json:
        """AUD-2: only the user's own records."""
        kinds = {
            "requests-and-responses": {"request", "response"},
            "responses-only": {"response"},
            "with-alerts": {"request", "response", "alert"},
        }[self.extract_holds]
        own = [r for r in self.records if r["user_id"] == user_id and r["kind"] in kinds]
        return {"type": "audit_extract", "user_id": user_id, "records": own}
