"""The loader's entity specs are METRICS.md section 1: columns, keys, value sets."""

from __future__ import annotations

import pytest
from metrics_contract import contract_entities, contract_value_sets

from ingestion.files.entities import ENTITIES


def test_the_loader_knows_exactly_the_contracts_entities():
    assert list(ENTITIES) == list(contract_entities())


@pytest.mark.parametrize("name", list(contract_entities()))
def test_entity_columns_key_and_optional_columns_match_the_contract(name):
    contract, spec = contract_entities()[name], ENTITIES[name]
    assert spec.key == contract.key
    assert tuple(spec.column_names) == contract.columns
    assert set(spec.column_names) - set(spec.required_names) == contract.optional


def test_value_sets_match_the_contract():
    sets = contract_value_sets()
    enums = {
        f"{name}.{column.name}": frozenset(column.values)
        for name, spec in ENTITIES.items()
        for column in spec.columns
        if column.kind == "enum"
    }
    assert enums == sets
