"""Local file storage: random keys, atomic writes, and no way out of the root."""

from __future__ import annotations

import os
import re

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from contest import storage as storage_module
from contest.storage import LocalStorage, Storage, get_storage

KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]+)?")


@pytest.fixture
def store(tmp_path):
    return LocalStorage(tmp_path / "uploads")


def test_round_trip(store):
    key = store.save(b"%PDF-1.4 hello", suffix=".pdf")
    assert KEY.fullmatch(key) and key.endswith(".pdf")
    assert store.read(key) == b"%PDF-1.4 hello"
    assert store.exists(key) and store.size(key) == 14
    with store.open(key) as handle:
        assert handle.read() == b"%PDF-1.4 hello"
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting twice is fine


def test_keys_fan_out_on_disk_and_are_random(store):
    key = store.save(b"x")
    name = key.split("/")[-1]
    assert key.startswith(f"{name[:2]}/{name[2:4]}/")
    assert (store.root / key).is_file()
    assert len({store.save(b"x") for _ in range(50)}) == 50


def test_suffixes(store):
    assert store.save(b"x", suffix="PNG").endswith(".png")
    assert KEY.fullmatch(store.save(b"x"))
    for bad in ("../x", ".p/df", ".toolongsuffix", ". pdf", ".pdf\n"):
        with pytest.raises(ValueError):
            store.save(b"x", suffix=bad)


def test_missing_files(store):
    key = "ab/cd/abcd" + "0" * 28 + ".pdf"
    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.read(key)
    with pytest.raises(FileNotFoundError):
        store.size(key)


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "ab/cd/../../../etc/passwd",
        "ab\\cd\\abcd" + "0" * 28,
        "ab/cd/ef" + "0" * 30,
        "AB/CD/ABCD" + "0" * 28,
        "ab/cd/abcd" + "0" * 28 + ".pdf/..",
        "",
        "ab/cd/abcd" + "0" * 28 + "\n",
        "ab/cd/abcd" + "0" * 28 + "/../x",
    ],
)
def test_foreign_keys_are_refused(store, key):
    for method in (store.read, store.open, store.delete, store.exists, store.size):
        with pytest.raises(ValueError):
            method(key)


def test_a_failed_write_leaves_nothing_behind(store, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(storage_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.save(b"data")
    leftovers = [name for _, _, files in os.walk(store.root) for name in files]
    assert leftovers == []


def test_local_storage_is_a_storage(store):
    assert isinstance(store, Storage)


def test_get_storage_uses_the_upload_folder_and_is_cached(tmp_path):
    app = Flask(__name__)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "up")
    with app.app_context():
        first = get_storage()
        assert isinstance(first, LocalStorage) and first.root == (tmp_path / "up").resolve()
        assert get_storage() is first
        key = first.save(b"abc")
    assert (tmp_path / "up" / key).read_bytes() == b"abc"


def test_get_storage_returns_an_installed_backend(tmp_path):
    app = Flask(__name__)
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    other = LocalStorage(tmp_path / "elsewhere")
    app.extensions["storage"] = other
    with app.app_context():
        assert get_storage() is other


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(["", ".pdf", ".docx", ".png"]))
def test_round_trip_of_any_bytes(tmp_path_factory, data, suffix):
    store = LocalStorage(tmp_path_factory.mktemp("store", numbered=True))
    key = store.save(data, suffix=suffix)
    assert store.read(key) == data and store.size(key) == len(data)
