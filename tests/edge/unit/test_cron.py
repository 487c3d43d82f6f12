"""The cron trigger: a signed POST /internal/maintenance/run that the origin's own verifier accepts."""

import tomllib
from pathlib import Path

from taskmaster.auth import edge as origin_edge
from tm_edge import cron

from .fakes import SECRET, make_world

ROOT = Path(__file__).resolve().parents[3]


async def test_the_trigger_posts_a_signed_maintenance_call():
    w = make_world(access_client_id="id", access_client_secret="secret")
    status = await cron.run_maintenance(w.settings, w.ports())
    assert status == 201  # the fake origin's answer to a POST
    [sent] = w.origin.requests_to(cron.MAINTENANCE_PATH)  # the fake checked the signature
    assert sent.method == "POST" and sent.body == b""
    assert sent.headers.get("x-edge-key-id") == "-"
    assert sent.headers.get("cf-access-client-id") == "id"
    headers = {name: value for name, value in sent.headers.items()}
    identity = origin_edge.verify(SECRET, headers, "POST", cron.MAINTENANCE_PATH, b"", w.clock())
    assert identity is not None and identity.key_id is None and identity.client_ip == "cron"


async def test_no_secret_or_no_origin_is_not_an_error():
    assert (
        await cron.run_maintenance(make_world(signing_secret="").settings, make_world().ports())
        == 0
    )
    w = make_world()
    w.origin.down = True
    assert await cron.run_maintenance(w.settings, w.ports()) == 0


def test_wrangler_declares_the_trigger_in_every_environment():
    config = tomllib.loads((ROOT / "wrangler.toml").read_text())
    assert config["triggers"]["crons"] == ["*/15 * * * *"]
    for env in ("staging", "production"):
        assert config["env"][env]["triggers"]["crons"] == ["*/15 * * * *"]
