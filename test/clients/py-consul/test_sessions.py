# Sessions and locks as py-consul's users call them: create, info, list, node, renew, destroy, acquire/release.
import consul
import pytest


def test_creates_reads_renews_and_destroys_a_session(c, name):
    node = c.agent.self()["Config"]["NodeName"]
    sid = c.session.create(name=name, ttl=20, behavior="delete", lock_delay=0)
    try:
        index, info = c.session.info(sid)
        assert int(index) > 0
        assert (info["ID"], info["Name"], info["Node"], info["Behavior"], info["TTL"]) == (sid, name, node, "delete", "20s")
        assert info["LockDelay"] == 0
        _, listed = c.session.list()
        assert sid in {s["ID"] for s in listed}
        _, on_node = c.session.node(node)
        assert sid in {s["ID"] for s in on_node}
        renewed = c.session.renew(sid)
        assert renewed["ID"] == sid and renewed["TTL"] == "20s"
    finally:
        assert c.session.destroy(sid) is True
    assert c.session.info(sid)[1] is None
    with pytest.raises(consul.NotFound):
        c.session.renew(sid)


def test_default_session_has_consul_defaults(c, name):
    sid = c.session.create()
    try:
        _, info = c.session.info(sid)
        assert (info["Behavior"], info["LockDelay"], info["TTL"]) == ("release", 15_000_000_000, "")
    finally:
        c.session.destroy(sid)


def test_one_session_holds_a_lock_until_release(c, name):
    key = f"{name}/leader"
    s1, s2 = c.session.create(name=f"{name}-1", lock_delay=0), c.session.create(name=f"{name}-2", lock_delay=0)
    try:
        assert c.kv.put(key, "one", acquire=s1) is True
        assert c.kv.put(key, "two", acquire=s2) is False
        _, held = c.kv.get(key)
        assert (held["Value"], held["Session"], held["LockIndex"]) == (b"one", s1, 1)
        assert c.kv.put(key, "bye", release=s2) is False
        assert c.kv.put(key, "bye", release=s1) is True
        _, free = c.kv.get(key)
        assert "Session" not in free and free["Value"] == b"bye"
        assert c.kv.put(key, "two", acquire=s2) is True
        assert c.kv.get(key)[1]["LockIndex"] == 2
    finally:
        c.session.destroy(s1)
        c.session.destroy(s2)


def test_destroying_a_delete_session_deletes_its_keys(c, name):
    sid = c.session.create(behavior="delete", lock_delay=0)
    assert c.kv.put(f"{name}/eph", "x", acquire=sid)
    c.session.destroy(sid)
    assert c.kv.get(f"{name}/eph")[1] is None


def test_a_ttl_out_of_range_is_refused(c):
    with pytest.raises(AssertionError):
        c.session.create(ttl=5)  # py-consul's own guard (10..86400 s)
    with pytest.raises(consul.ConsulException) as err:
        c.http.put(consul.callback.CB.json(), "/v1/session/create", data='{"TTL": "5s"}')
    assert "Invalid Session TTL" in str(err.value)
