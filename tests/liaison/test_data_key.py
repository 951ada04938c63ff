"""Losing or swapping the data key can never happen silently."""

import base64

import pytest

from foundation import crypto
from foundation.models import AuditEvent
from liaison.models import Household
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db


def _use_key(monkeypatch, raw: bytes | None):
    if raw is None:
        monkeypatch.delenv("LIAISON_DATA_KEY", raising=False)
    else:
        monkeypatch.setenv("LIAISON_DATA_KEY", base64.b64encode(raw).decode())
    for cached in (crypto._master_key, crypto._subkey, crypto._aead):
        cached.cache_clear()
    monkeypatch.setattr(crypto, "_verified", False)


@pytest.fixture
def keys(monkeypatch):
    yield lambda raw: _use_key(monkeypatch, raw)
    monkeypatch.undo()  # the environment's key again
    for cached in (crypto._master_key, crypto._subkey, crypto._aead):
        cached.cache_clear()
    crypto._verified = False


def test_first_use_records_the_key_fingerprint(keys, areas):
    keys(b"a" * 32)
    make_household(areas["va"])
    event = AuditEvent.objects.get(action="data_key.registered")
    assert event.data["fingerprint"] == crypto.fingerprint()
    make_household(areas["va"])
    assert AuditEvent.objects.filter(action="data_key.registered").count() == 1


def test_another_key_is_refused_and_writes_nothing(keys, areas):
    keys(b"a" * 32)
    make_household(areas["va"], name="王一")
    keys(b"b" * 32)
    with pytest.raises(crypto.KeyMismatch, match="指纹|fingerprint"):
        make_household(areas["va"], name="王二")
    assert list(Household.objects.values_list("head_name", flat=True)) == ["王一"]


def test_a_database_from_before_fingerprints_accepts_only_a_key_that_reads_it(keys, areas):
    keys(b"a" * 32)
    make_household(areas["va"])
    AuditEvent.objects.filter(action="data_key.registered").delete()
    keys(b"b" * 32)
    with pytest.raises(crypto.KeyMismatch):
        crypto.blind_index("530802195803170018")
    keys(b"a" * 32)
    assert crypto.blind_index("530802195803170018")
