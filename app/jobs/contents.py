"""Store a job's validated rows in `jobs.contents`: compact JSON, compressed, then encrypted (they are personal data).

100,000 rows of a number and a name are about 4 MB of JSON and under 1 MB once compressed. The layout is
`{"columns": [personalisation keys], "rows": [[to, normalised_to, phone_prefix, rate_multiplier, international,
value, ...], ...]}`, and for a letter job `"postages": [postage, ...]`, one per row; a row's position is its
`job_row_number`.
"""

from __future__ import annotations

import base64
import json
import zlib

from app.encryption import encryptor
from app.jobs.row_validation import PreparedRow, PreparedRows

_FIXED_FIELD_COUNT = 5


def encode_job_contents(prepared: PreparedRows) -> str:
    document: dict[str, object] = {
        "columns": prepared.columns,
        "rows": [
            [row.to, row.normalised_to, row.phone_prefix, row.rate_multiplier, row.is_international, *row.values]
            for row in prepared.rows
        ],
    }
    if any(row.postage is not None for row in prepared.rows):
        document["postages"] = [row.postage for row in prepared.rows]
    compressed = zlib.compress(json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return encryptor().encrypt(base64.b64encode(compressed).decode("ascii"))


def decode_job_contents(token: str) -> PreparedRows:
    compressed = base64.b64decode(encryptor().decrypt(token))
    document = json.loads(zlib.decompress(compressed).decode("utf-8"))
    postages = document.get("postages") or [None] * len(document["rows"])
    return PreparedRows(
        columns=document["columns"],
        rows=[
            PreparedRow(
                to=fields[0],
                normalised_to=fields[1],
                phone_prefix=fields[2],
                rate_multiplier=fields[3],
                is_international=fields[4],
                values=fields[_FIXED_FIELD_COUNT:],
                postage=postage,
            )
            for fields, postage in zip(document["rows"], postages, strict=True)
        ],
    )
