# py-consul with tokens against a Beacon with ACLs on and default deny, started by py-consul-acl.test.ts
# and selected by it (`pytest acl/`); the default run leaves this folder out (pytest.ini). The tests share
# one bootstrap and run in file order.
import os
import time
import uuid

import consul
import pytest
from consul.callback import CB
from consul.exceptions import ACLPermissionDenied

ANONYMOUS = "Permission denied: anonymous token lacks permission"


def client(token=None):
    assert "CONSUL_HTTP_TOKEN" not in os.environ, "py-consul prefers CONSUL_HTTP_TOKEN, even empty, to its token argument"
    # As users build it: address from CONSUL_HTTP_ADDR, the token passed in (py-consul sends it as
    # X-Consul-Token; catalog writes add ?token= too).
    return consul.Consul(token=token)


@pytest.fixture(scope="module")
def mgmt():
    token = client().acl.bootstrap()
    assert token["AccessorID"] and token["SecretID"]
    assert [p["Name"] for p in token["Policies"]] == ["global-management"]
    with client(token["SecretID"]) as c:
        yield c


def policy_token(mgmt, rules):
    """A policy from py-consul's rules (a dict, sent as JSON rules) and a token linking it by name."""
    name = f"py-{uuid.uuid4().hex[:8]}"
    policy = mgmt.acl.policy.create(name, rules=rules, description="py-consul acl test")
    assert policy["Name"] == name
    token = mgmt.acl.token.create(policies_name=[name], description="py-consul acl test")
    assert [(p["ID"], p["Name"]) for p in token["Policies"]] == [(policy["ID"], name)]
    return policy, token


def test_bootstrap_happens_once(mgmt):
    with pytest.raises(ACLPermissionDenied, match="ACL bootstrap no longer allowed"):
        client().acl.bootstrap()


def test_web_token_registers_web_1_and_is_denied_db_1(mgmt):
    _, token = policy_token(mgmt, {"service_prefix": {"web": {"policy": "write"}}})
    web = client(token["SecretID"])
    assert web.agent.service.register("web", service_id="web-1", port=8080) is True
    try:
        assert mgmt.agent.services()["web-1"]["Service"] == "web"
        with pytest.raises(ACLPermissionDenied, match=r"lacks permission 'service:write' on \"db\""):
            web.agent.service.register("db", service_id="db-1", port=5432)
        assert "db-1" not in mgmt.agent.services()
    finally:
        web.agent.service.deregister("web-1")


def test_kv_without_a_token_is_denied_as_the_anonymous_token(mgmt, name):
    key = f"{name}/k"
    assert mgmt.kv.put(key, "v") is True
    with pytest.raises(ACLPermissionDenied, match=f"^{ANONYMOUS} 'key:read' on \"{key}\""):
        client().kv.get(key)
    assert mgmt.kv.get(key)[1]["Value"] == b"v"


def test_token_in_the_query_string(mgmt, name):
    """?token= alone, through py-consul's own HTTP layer, and catalog.register, which sends it too."""
    _, token = policy_token(mgmt, {"key_prefix": {f"{name}/": {"policy": "read"}}, "node_prefix": {"": {"policy": "write"}}, "service_prefix": {name: {"policy": "write"}}})
    key = f"{name}/q"
    mgmt.kv.put(key, "from-query")
    anon = client()
    got = anon.http.get(CB.json(), f"/v1/kv/{key}", params=[("token", token["SecretID"])])
    assert [(e["Key"], e["Value"]) for e in got] == [(key, "ZnJvbS1xdWVyeQ==")]
    node = f"{name}-node"
    assert client(token["SecretID"]).catalog.register(node, "127.0.0.1", service={"Service": name, "Port": 80}) is True
    try:
        assert [s["ServiceName"] for s in mgmt.catalog.service(name)[1]] == [name]
        with pytest.raises(ACLPermissionDenied, match=r"lacks permission 'service:write' on \"db\""):
            client(token["SecretID"]).catalog.register(node, "127.0.0.1", service={"Service": "db", "Port": 5432})
    finally:
        mgmt.catalog.deregister(node)


def test_health_service_leaves_out_what_the_token_cannot_read(mgmt, name):
    svc, web_node, db_node = f"web-{name}", f"web-{name}-n", f"db-{name}-n"
    for node in (web_node, db_node):
        assert mgmt.catalog.register(node, "127.0.0.1", service={"Service": svc, "Port": 80}) is True
    try:
        assert len(mgmt.health.service(svc)[1]) == 2
        _, token = policy_token(mgmt, {"service_prefix": {"web": {"policy": "read"}}, "node_prefix": {"web": {"policy": "read"}}})
        _, entries = client(token["SecretID"]).health.service(svc)
        assert [(e["Node"]["Node"], e["Service"]["Service"]) for e in entries] == [(web_node, svc)]
    finally:
        for node in (web_node, db_node):
            mgmt.catalog.deregister(node)


def test_acl_token_and_policy_clients(mgmt):
    policy, token = policy_token(mgmt, {"service_prefix": {"web": {"policy": "read"}}})
    holder = client(token["SecretID"])
    assert holder.acl.token.read_self()["AccessorID"] == token["AccessorID"]
    assert mgmt.acl.token.read(token["AccessorID"])["Description"] == "py-consul acl test"
    assert token["AccessorID"] in [t["AccessorID"] for t in mgmt.acl.token.list()]
    assert mgmt.acl.policy.read(policy["ID"])["Rules"] == '{"service_prefix": {"web": {"policy": "read"}}}'
    assert policy["ID"] in [p["ID"] for p in mgmt.acl.policy.list()]
    updated = mgmt.acl.policy.update(policy["ID"], policy["Name"], rules={"service_prefix": {"web": {"policy": "write"}}})
    assert updated["Rules"] == '{"service_prefix": {"web": {"policy": "write"}}}'
    # Only a token with acl:read may list tokens.
    with pytest.raises(ACLPermissionDenied, match="lacks permission 'acl:read'"):
        holder.acl.token.list()

    assert mgmt.acl.token.delete(token["AccessorID"]) is True
    # A delete clears the worker's token cache in the isolate that served it; another isolate may keep
    # the resolved token for up to 5 s, so the refusal is awaited for at most 6 s.
    deadline = time.monotonic() + 6
    while True:
        try:
            holder.catalog.services()
        except ACLPermissionDenied as err:
            assert str(err) == "ACL not found"
            break
        assert time.monotonic() < deadline, "the deleted token still works after 6 s"
        time.sleep(0.2)
    assert mgmt.acl.policy.delete(policy["ID"]) is True
    assert policy["ID"] not in [p["ID"] for p in mgmt.acl.policy.list()]
