"""Reference data shipped with the product (copied from the Inspectorate's shared reference folder)."""

from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent


def read_regions() -> list[tuple[str, str, list[str]]]:
    """(name, code, PDU names) for each row of regions.md's table."""
    rows = []
    for line in (REFERENCE_DIR / "regions.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("region", "---") or not cells[1].startswith("N"):
            continue
        name, code, pdus = cells
        rows.append((name, code, [pdu.strip() for pdu in pdus.split(";") if pdu.strip()]))
    return rows
