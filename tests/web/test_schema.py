"""schemathesis against the app's own OpenAPI schema, in process (ASGI, no server): whatever the
schema allows, the API answers without a server error and as its schema says, as an admin and as
a party."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("party", ["admin", "ARCHIVE"])
def test_no_request_the_schema_allows_is_a_server_error(world, party):
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/messages", "/api/v1/messages/{message_id}", "/api/v1/report",
                                              "/api/v1/replay", "/readyz", "/metrics"}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers(case):
            case.call_and_validate(headers=world.as_(party), checks=CHECKS)
        answers()
