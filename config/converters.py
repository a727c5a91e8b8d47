"""URL converters shared by the portal's routes."""


class ContractNumberConverter:
    """A 保証契約番号 as people may type it into an address: 10 digits, ASCII or full-width, perhaps
    with hyphens or spaces between groups (views normalise it with
    ``authkeys.keys.normalize_contract_number``). Anything else, a NUL byte or a path included, is
    not a route (404) and never reaches a view or the database."""

    regex = r"[0-9０-９\-－‐ー|｜ 　]{10,30}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)
