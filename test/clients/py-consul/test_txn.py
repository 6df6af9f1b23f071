# Transactions through py-consul's txn.put: a raw list of operations, base64 values, all-or-nothing.
import base64

import consul
import pytest


def b64(s):
    return base64.b64encode(s.encode()).decode()


def test_applies_several_kv_operations_atomically(c, name):
    c.kv.put(f"{name}/old", "x")
    result = c.txn.put([
        {"KV": {"Verb": "set", "Key": f"{name}/a", "Value": b64("1")}},
        {"KV": {"Verb": "cas", "Key": f"{name}/b", "Value": b64("2"), "Index": 0}},
        {"KV": {"Verb": "delete", "Key": f"{name}/old"}},
        {"KV": {"Verb": "get", "Key": f"{name}/a"}},
    ])
    assert result["Errors"] is None
    kvs = [r["KV"] for r in result["Results"]]
    assert [k["Key"] for k in kvs] == [f"{name}/a", f"{name}/b", f"{name}/a"]
    assert base64.b64decode(kvs[2]["Value"]) == b"1"
    assert kvs[0]["Value"] is None  # set answers without the value, as Consul does
    assert c.kv.get(f"{name}/b")[1]["Value"] == b"2"
    assert c.kv.get(f"{name}/old")[1] is None


def test_a_failing_operation_rolls_back_the_whole_transaction(c, name):
    c.kv.put(f"{name}/exists", "v")
    with pytest.raises(consul.ConsulException) as err:
        c.txn.put([
            {"KV": {"Verb": "set", "Key": f"{name}/new", "Value": b64("n")}},
            {"KV": {"Verb": "cas", "Key": f"{name}/exists", "Value": b64("w"), "Index": 0}},
        ])
    assert str(err.value).startswith("409 ")
    assert '"OpIndex":1' in str(err.value).replace(" ", "")
    assert c.kv.get(f"{name}/new")[1] is None
    assert c.kv.get(f"{name}/exists")[1]["Value"] == b"v"
