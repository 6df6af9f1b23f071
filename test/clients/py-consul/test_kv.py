# KV as py-consul's users call it: (index, item) tuples, decoded values, CAS, flags, recurse, keys, deletes.
def test_puts_and_gets_one_key_with_its_index(c, name):
    assert c.kv.put(f"{name}/a", "hello") is True
    index, item = c.kv.get(f"{name}/a")
    assert item["Value"] == b"hello" and item["Key"] == f"{name}/a" and item["Flags"] == 0
    assert int(index) >= item["ModifyIndex"] > 0


def test_a_missing_key_is_none_with_an_index(c, name):
    index, item = c.kv.get(f"{name}/missing")
    assert item is None and int(index) > 0


def test_binary_values_and_flags_round_trip(c, name):
    blob = bytes(range(256))
    assert c.kv.put(f"{name}/bin", blob, flags=42)
    _, item = c.kv.get(f"{name}/bin")
    assert (item["Value"], item["Flags"]) == (blob, 42)
    assert c.kv.put(f"{name}/dir/", None)
    _, folder = c.kv.get(f"{name}/dir/")
    assert folder["Value"] is None


def test_cas_writes_only_at_the_expected_index(c, name):
    key = f"{name}/cas"
    assert c.kv.put(key, "1", cas=0) is True
    assert c.kv.put(key, "again", cas=0) is False
    _, item = c.kv.get(key)
    assert c.kv.put(key, "2", cas=item["ModifyIndex"] + 1000) is False
    assert c.kv.put(key, "2", cas=item["ModifyIndex"]) is True
    _, item2 = c.kv.get(key)
    assert item2["Value"] == b"2" and item2["ModifyIndex"] > item["ModifyIndex"]
    assert item2["CreateIndex"] == item["CreateIndex"]
    assert c.kv.delete(key, cas=item["ModifyIndex"]) is False
    assert c.kv.delete(key, cas=item2["ModifyIndex"]) is True
    assert c.kv.get(key)[1] is None


def test_recurse_keys_and_separator_list_a_tree(c, name):
    for key, value in [("app/db/url", "pg"), ("app/db/pool", "5"), ("app/name", "x"), ("other", "y")]:
        c.kv.put(f"{name}/{key}", value)
    _, items = c.kv.get(f"{name}/app/", recurse=True)
    assert {i["Key"]: i["Value"] for i in items} == {f"{name}/app/db/url": b"pg", f"{name}/app/db/pool": b"5", f"{name}/app/name": b"x"}
    _, keys = c.kv.get(f"{name}/", keys=True)
    assert keys == sorted(f"{name}/{k}" for k in ["app/db/url", "app/db/pool", "app/name", "other"])
    _, top = c.kv.get(f"{name}/", keys=True, separator="/")
    assert top == [f"{name}/app/", f"{name}/other"]
    _, none = c.kv.get(f"{name}/nothing/", recurse=True)
    assert none is None

    assert c.kv.delete(f"{name}/app/", recurse=True) is True
    _, left = c.kv.get(f"{name}/", recurse=True)
    assert [i["Key"] for i in left] == [f"{name}/other"]


def test_consistency_modes_read_the_same_value(c, name):
    c.kv.put(f"{name}/k", "v")
    for mode in ("consistent", "stale"):
        _, item = c.kv.get(f"{name}/k", consistency=mode)
        assert item["Value"] == b"v"
