"""`GET /api/sites`: codes, georeference and building counts from the imported files."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_lists_sites_with_georeference_and_building_counts(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/sites")
    sites = {site["site_code"]: site for site in response.json()}
    assert response.status_code == 200
    assert list(sites) == ["DX01", "HT01"]
    # duplex.ifc carries IfcSite RefLatitude/RefLongitude 41.8744, -87.6394.
    assert sites["DX01"]["latitude_deg"] == pytest.approx(41.8744, abs=1e-4)
    assert sites["DX01"]["longitude_deg"] == pytest.approx(-87.6394, abs=1e-4)
    assert sites["HT01"]["latitude_deg"] is None
    assert {site["buildings"] for site in sites.values()} == {1}
