"""Pure rules of the second half of the surface: settings, template rendering, config encryption,
the COPY error mapping, metric buckets."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec
import pytest
from cryptography.fernet import Fernet, InvalidToken
from taskmaster.configuration import crypto
from taskmaster.errors import ApiError
from taskmaster.logs.schemas import LogBatch
from taskmaster.metrics.schemas import BUCKETS
from taskmaster.settings import DEV_CONFIG_KEY, Settings, SettingsError
from taskmaster.templates.schemas import Template, Variable
from taskmaster.templates.service import check_declarations, render_content

BASE = {"DATABASE_URL": "postgresql://x/y"}


def test_settings_defaults_and_production_refusal() -> None:
    settings = Settings.from_env(BASE)
    assert settings.logs_batch_max_body_bytes == 16 * 1024 * 1024
    assert settings.config_key == DEV_CONFIG_KEY
    Fernet(settings.config_key)  # a valid Fernet key
    production = BASE | {"TASKMASTER_ENV": "production", "TASKMASTER_SECRET_KEY": "s" * 40}
    with pytest.raises(SettingsError, match="TASKMASTER_CONFIG_KEY"):
        Settings.from_env(production)
    key = Fernet.generate_key().decode()
    with pytest.raises(SettingsError, match="JWT_SIGNING_KEYS"):
        Settings.from_env(production | {"TASKMASTER_CONFIG_KEY": key})
    production |= {"JWT_SIGNING_KEYS": "k2:" + "j" * 40 + ",k1:" + "i" * 40}
    with_keys = Settings.from_env(production | {"TASKMASTER_CONFIG_KEY": key})
    assert with_keys.config_key == key
    assert with_keys.people.jwt_keys == (("k2", "j" * 40), ("k1", "i" * 40))
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env(
            production | {"TASKMASTER_CONFIG_KEY": key, "JWT_SIGNING_KEYS": "k:short"}
        )
    custom = Settings.from_env(BASE | {"LOGS_BATCH_MAX_BODY_BYTES": "1000"})
    assert custom.logs_batch_max_body_bytes == 1000


def test_config_encryption_round_trip_and_wrong_key() -> None:
    token = crypto.encrypt(DEV_CONFIG_KEY, {"token": "s3cret"})
    assert b"s3cret" not in token
    assert crypto.decrypt(DEV_CONFIG_KEY, token) == {"token": "s3cret"}
    with pytest.raises(InvalidToken):
        crypto.decrypt(Fernet.generate_key().decode(), token)


def template(content: str, variables: list[dict[str, object]]) -> Template:
    now = datetime.now(UTC)
    return Template(
        uuid.uuid4(), "t", "prompt", None, None, content, variables,  # type: ignore[arg-type]
        [], True, 0, None, None, {}, 1, now, now,
    )  # fmt: skip


def test_render_fills_once_and_names_problems() -> None:
    t = template("{{a}}-{{ b }}-{{c}}", [{"name": "a"}, {"name": "b", "type": "integer",
                                                       "default": 2}, {"name": "c", "required": False}])  # fmt: skip
    assert render_content(t, {"a": "{{b}}"}) == "{{b}}-2-"
    with pytest.raises(ApiError) as missing:
        render_content(t, {})
    assert missing.value.code == "missing-variable" and "a" in missing.value.detail
    with pytest.raises(ApiError) as unknown:
        render_content(t, {"a": "x", "zz": 1})
    assert unknown.value.code == "unknown-variable" and "zz" in unknown.value.detail
    with pytest.raises(ApiError) as mistyped:
        render_content(t, {"a": "x", "b": 1.5})
    assert mistyped.value.code == "invalid-variable"


def test_declarations_must_cover_placeholders() -> None:
    check_declarations("{{x}}", [Variable(name="x")])
    with pytest.raises(ApiError) as undeclared:
        check_declarations("{{x}} {{y}}", [Variable(name="x")])
    assert undeclared.value.code == "undeclared-variable" and "y" in undeclared.value.detail


def test_log_batch_validation_names_the_index() -> None:
    entries = [{"level": "info", "message": "m"}] * 3 + [{"level": "nope", "message": "m"}]
    with pytest.raises(msgspec.ValidationError, match=r"entries\[3\]"):
        msgspec.json.decode(msgspec.json.encode({"entries": entries}), type=LogBatch)


def test_buckets_are_allow_listed() -> None:
    assert sorted(BUCKETS) == ["15m", "1d", "1h", "1m", "5m"]
