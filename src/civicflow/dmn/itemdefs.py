"""Resolve ``typeRef`` names to :class:`~civicflow.dmn.types.DmnType`, per model and across imports."""

from __future__ import annotations

from civicflow.dmn._feel import compile_tests
from civicflow.dmn.model import Definitions, ItemDefinition
from civicflow.dmn.types import (
    ANY,
    BUILTIN_TYPES,
    ConstrainedType,
    DmnType,
    FunctionType,
    ListType,
    StructureType,
    parse_feel_type,
)

__all__ = ["TypeRegistry"]


class TypeRegistry:
    """Item definitions of every loaded model, resolved on first use and memoised."""

    def __init__(self, models: dict[str, Definitions]) -> None:
        self._models = models
        self._memo: dict[tuple[str, str], DmnType] = {}
        self._busy: set[tuple[str, str]] = set()
        self._items = {ns: {i.name: i for i in d.item_definitions} for ns, d in models.items()}
        self._imports = {ns: {i.name: i.namespace for i in d.imports} for ns, d in models.items()}

    def resolve(self, type_ref: str | None, namespace: str) -> DmnType:
        """The type ``type_ref`` names in the model ``namespace``; unknown names are Any."""
        if not type_ref:
            return ANY
        key = (namespace, type_ref)
        found = self._memo.get(key)
        if found is None:
            if key in self._busy:  # a recursive item definition: stop checking at the cycle
                return ANY
            self._busy.add(key)
            try:
                found = self._lookup(type_ref, namespace)
            finally:
                self._busy.discard(key)
            self._memo[key] = found
        return found

    def _lookup(self, type_ref: str, namespace: str) -> DmnType:
        builtin = BUILTIN_TYPES.get(type_ref)
        if builtin is not None:
            return builtin
        item = self._items.get(namespace, {}).get(type_ref)
        if item is not None:
            return self.item_type(item, namespace)
        # import-qualified: "myimport.tPerson"; an import name may itself contain dots or spaces
        for import_name, import_ns in self._imports.get(namespace, {}).items():
            prefix = import_name + "."
            if type_ref.startswith(prefix) and import_ns in self._models:
                return self.resolve(type_ref[len(prefix) :], import_ns)
        parsed = parse_feel_type(type_ref, lambda name: self.resolve(name, namespace))
        return parsed or ANY

    def item_type(self, item: ItemDefinition, namespace: str) -> DmnType:
        base: DmnType
        if item.function_item is not None:
            base = FunctionType(output=self.resolve(item.function_item.output_type_ref, namespace))
        elif item.components:
            fields = tuple((c.name, self.item_type(c, namespace)) for c in item.components)
            base = StructureType(fields=fields)
        else:
            base = self.resolve(item.type_ref, namespace)
        if item.allowed_values is not None and item.allowed_values.strip():
            base = ConstrainedType(
                base=base,
                allowed=compile_tests(item.allowed_values, ()),
                allowed_text=item.allowed_values.strip(),
                name=item.name or base.label,
            )
        if item.is_collection:
            base = ListType(element=base, name=item.name or "list")
        if item.type_constraint is not None and item.type_constraint.strip():
            base = ConstrainedType(
                base=base,
                allowed=compile_tests(item.type_constraint, ()),
                allowed_text=item.type_constraint.strip(),
                name=item.name or base.label,
            )
        return base
