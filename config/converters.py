"""URL converters shared by the portal's routes."""

from guarantees.numbers import is_well_formed_contract_number, normalize_contract_number


class ContractNumberConverter:
    """A 保証契約番号 as people may type it into an address: 10 digits, ASCII or full-width, perhaps
    with hyphens or spaces between groups. The view receives it normalised
    (``guarantees.numbers.normalize_contract_number``: ``１０７-０００-０４７３`` → ``1070000473``).
    Anything else, a NUL byte, a path or a number of the wrong length included, is not a route (404)
    and never reaches a view or the database."""

    regex = r"[0-9０-９\-－‐ー|｜ 　]{10,30}"

    def to_python(self, value: str) -> str:
        number = normalize_contract_number(value)
        if not is_well_formed_contract_number(number):
            raise ValueError(value)  # Django's resolver: this pattern does not match
        return number

    def to_url(self, value: str) -> str:
        return str(value)
