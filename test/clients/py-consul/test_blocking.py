# Blocking reads as py-consul's watchers call them: pass the last index and a wait, get woken by a change.
import threading
import time


def later(seconds, fn):
    t = threading.Timer(seconds, fn)
    t.start()
    return t


def test_a_kv_read_blocks_until_the_key_changes(c, name):
    key = f"{name}/watched"
    c.kv.put(key, "v1")
    index, _ = c.kv.get(key)
    writer = later(1.0, lambda: c.kv.put(key, "v2"))
    new_index, item = c.kv.get(key, index=index, wait="30s")
    writer.join()
    assert item["Value"] == b"v2"
    assert int(new_index) > int(index)


def test_a_kv_read_returns_at_the_same_index_when_the_wait_runs_out(c, name):
    key = f"{name}/quiet"
    c.kv.put(key, "v")
    index, _ = c.kv.get(key)
    same, item = c.kv.get(key, index=index, wait="1s")
    assert same == index and item["Value"] == b"v"


def test_a_missing_key_can_be_watched_until_it_is_created(c, name):
    key = f"{name}/later"
    index, item = c.kv.get(key)
    assert item is None
    writer = later(1.0, lambda: c.kv.put(key, "born"))
    _, item = c.kv.get(key, index=index, wait="30s")
    writer.join()
    assert item["Value"] == b"born"


def test_a_health_read_blocks_until_an_instance_registers(c, name):
    index, entries = c.health.service(name)
    assert entries == []
    writer = later(1.0, lambda: c.agent.service.register(name, service_id=name, port=4242))
    try:
        new_index, entries = c.health.service(name, index=index, wait="30s")
        writer.join()
        assert int(new_index) > int(index)
        assert [e["Service"]["Port"] for e in entries] == [4242]
    finally:
        writer.join()
        c.agent.service.deregister(name)


def test_a_catalog_read_blocks_until_a_service_leaves(c, name):
    c.agent.service.register(name, service_id=name, port=1)
    index, services = c.catalog.services()
    assert name in services
    writer = later(1.0, lambda: c.agent.service.deregister(name))
    deadline = time.monotonic() + 30
    # Other suites register services too: a wake-up for their change returns before ours, as in Consul.
    while name in services and time.monotonic() < deadline:
        new_index, services = c.catalog.services(index=index, wait="30s")
        assert int(new_index) >= int(index)
        index = new_index
    writer.join()
    assert name not in services
