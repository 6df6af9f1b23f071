# One py-consul client per test, built the way its users build it: from CONSUL_HTTP_ADDR.
import os
import uuid

import consul
import pytest


@pytest.fixture
def c():
    assert os.environ.get("CONSUL_HTTP_ADDR"), "CONSUL_HTTP_ADDR must point at Beacon"
    with consul.Consul() as client:
        yield client


@pytest.fixture
def name():
    """A unique prefix: other suites share this Beacon in parallel."""
    return f"py-{uuid.uuid4().hex[:8]}"
