# Agent registration and checks (TTL, HTTP, TCP) as py-consul's users call them, read back through agent, health and catalog.
import http.server
import threading
import time

import consul
import pytest
from consul import Check


def by_id(entries):
    return {e["Service"]["ID"]: e for e in entries}


def test_registers_a_service_with_a_ttl_check_and_reads_it_back(c, name):
    assert c.agent.service.register(
        name, service_id=f"{name}-1", address="127.0.0.1", port=8080, tags=["primary", "v1"],
        meta={"version": "1.2"}, check=Check.ttl("30s"),
    )
    try:
        svc = c.agent.services()[f"{name}-1"]
        assert (svc["Service"], svc["Address"], svc["Port"]) == (name, "127.0.0.1", 8080)
        assert svc["Tags"] == ["primary", "v1"] and svc["Meta"] == {"version": "1.2"}
        assert svc["Weights"] == {"Passing": 1, "Warning": 1}
        checks = {k: v for k, v in c.agent.checks().items() if v["ServiceID"] == f"{name}-1"}
        assert list(checks) == [f"service:{name}-1"]
        assert checks[f"service:{name}-1"]["Status"] == "critical"

        _, catalog = c.catalog.service(name)
        assert [(s["ServiceID"], s["ServiceAddress"], s["ServicePort"]) for s in catalog] == [(f"{name}-1", "127.0.0.1", 8080)]
    finally:
        assert c.agent.service.deregister(f"{name}-1")
    assert f"{name}-1" not in c.agent.services()
    _, after = c.health.service(name)
    assert after == []


def test_ttl_pass_warn_fail_move_the_instance_between_health_filters(c, name):
    c.agent.service.register(name, service_id=f"{name}-a", port=9001, check=Check.ttl("30s"))
    c.agent.service.register(name, service_id=f"{name}-b", port=9002, check=Check.ttl("30s"))
    try:
        check_a, check_b = f"service:{name}-a", f"service:{name}-b"
        assert c.agent.check.ttl_pass(check_a, notes="all good")
        assert c.agent.check.ttl_warn(check_b, notes="slow")

        index, entries = c.health.service(name)
        assert int(index) > 0
        assert sorted(by_id(entries)) == [f"{name}-a", f"{name}-b"]
        a = next(ch for ch in by_id(entries)[f"{name}-a"]["Checks"] if ch["CheckID"] == check_a)
        assert (a["Status"], a["Output"]) == ("passing", "all good")

        _, passing = c.health.service(name, passing=True)
        assert list(by_id(passing)) == [f"{name}-a"]

        _, checks = c.health.checks(name)
        assert {ch["CheckID"]: ch["Status"] for ch in checks} == {check_a: "passing", check_b: "warning"}

        assert c.agent.check.ttl_fail(check_a, notes="down")
        _, passing = c.health.service(name, passing=True)
        assert passing == []
        _, critical = c.health.state("critical")
        assert check_a in {ch["CheckID"] for ch in critical}
        _, warning = c.health.state("warning")
        assert check_b in {ch["CheckID"] for ch in warning}
    finally:
        c.agent.service.deregister(f"{name}-a")
        c.agent.service.deregister(f"{name}-b")


def test_filters_by_tag_and_by_expression(c, name):
    c.agent.service.register(name, service_id=f"{name}-p", port=1, tags=["primary"], meta={"zone": "a"})
    c.agent.service.register(name, service_id=f"{name}-r", port=2, tags=["replica"], meta={"zone": "b"})
    try:
        _, primary = c.health.service(name, tag="primary")
        assert list(by_id(primary)) == [f"{name}-p"]
        _, both = c.health.service(name, tag=["primary", "replica"])
        assert both == []
        _, zone_b = c.health.service(name, filter_expr='Service.Meta.zone == "b"')
        assert list(by_id(zone_b)) == [f"{name}-r"]
        filtered = c.agent.services(filter_expr=f'Service == "{name}" and "replica" in Tags')
        assert list(filtered) == [f"{name}-r"]
    finally:
        c.agent.service.deregister(f"{name}-p")
        c.agent.service.deregister(f"{name}-r")


def test_registers_a_separate_check_and_service_maintenance(c, name):
    c.agent.service.register(name, service_id=name, port=7000)
    try:
        assert c.agent.check.register(f"{name}-ttl", check=Check.ttl("60s"), check_id=f"{name}-chk", service_id=name, notes="manual")
        chk = c.agent.checks()[f"{name}-chk"]
        assert (chk["Name"], chk["ServiceID"], chk["Notes"]) == (f"{name}-ttl", name, "manual")
        c.agent.check.ttl_pass(f"{name}-chk")

        assert c.agent.service.maintenance(name, True, reason="upgrading")
        maint = c.agent.checks()[f"_service_maintenance:{name}"]
        assert (maint["Status"], maint["Notes"]) == ("critical", "upgrading")
        _, passing = c.health.service(name, passing=True)
        assert passing == []

        assert c.agent.service.maintenance(name, False)
        assert f"_service_maintenance:{name}" not in c.agent.checks()
        _, passing = c.health.service(name, passing=True)
        assert list(by_id(passing)) == [name]

        assert c.agent.check.deregister(f"{name}-chk")
        assert f"{name}-chk" not in c.agent.checks()
    finally:
        c.agent.service.deregister(name)


def test_agent_self_names_the_node_and_datacenter(c):
    me = c.agent.self()
    assert me["Config"]["Datacenter"] == "dc1"
    node = me["Config"]["NodeName"]
    _, entries = c.health.node(node)
    assert all(e["Node"] == node for e in entries)


def test_bad_input_raises_consuls_400(c, name):
    with pytest.raises(consul.base.ConsulException) as err:
        c.agent.service.register(name, check={"ttl": "10x"})
    assert "400" in str(err.value)
    assert name not in {s["Service"] for s in c.agent.services().values()}


def wait_for_status(c, name, check_id, status, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, checks = c.health.checks(name)
        current = {ch["CheckID"]: ch["Status"] for ch in checks}.get(check_id)
        if current == status:
            return
        time.sleep(0.2)
    raise AssertionError(f"{check_id} is {current!r}, not {status!r} after {seconds} s")


def test_http_and_tcp_checks_run_against_a_real_server(c, name):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        c.agent.service.register(
            name, service_id=f"{name}-h", address="127.0.0.1", port=port, weights={"Passing": 7, "Warning": 2},
            check=Check.http(f"http://127.0.0.1:{port}/", "1s", timeout="1s", deregister="10m"),
            extra_checks=[dict(Check.tcp("127.0.0.1", port, "1s"), name="tcp")],
        )
        checks = {k: v for k, v in c.agent.checks().items() if v["ServiceID"] == f"{name}-h"}
        assert sorted(v["Type"] for v in checks.values()) == ["http", "tcp"]
        for check_id in checks:
            wait_for_status(c, name, check_id, "passing")
        _, passing = c.health.service(name, passing=True)
        assert [e["Service"]["Weights"] for e in passing] == [{"Passing": 7, "Warning": 2}]
        server.shutdown()
        server.server_close()
        for check_id in checks:
            wait_for_status(c, name, check_id, "critical")
    finally:
        server.server_close()
        c.agent.service.deregister(f"{name}-h")
