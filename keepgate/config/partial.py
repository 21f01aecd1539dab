"""The model of a per-role / per-key override: any option of a section, none required.

An override under `guards.<name>.roles.<role>` (or `keys.<key_id>`) is merged over the
section when a request of that role arrives, so it may set any option and must set none.
Generating that model from the section's keeps the two from drifting apart: a new option is
overridable at once, and a typo in an override fails at load time like one in the section.

A settings module declares the override type in one line,
`MyOverride = Annotated[BaseModel, Partial(MyOptions, "MyOverride")]`: pydantic validates
(and documents) it as the generated model, and to mypy it is a plain `BaseModel` whose set
fields (`model_dump(exclude_unset=True)`) are merged over the section.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional, TypeVar

from pydantic import BaseModel, Field, GetPydanticSchema, create_model

M = TypeVar("M", bound=BaseModel)


def partial_model(model: type[M], name: str) -> type[M]:
    """`model` with every field optional and unset unless written (`model_dump(
    exclude_unset=True)` gives the override as written, normalised).

    A subclass, so `model`'s field validators (shorthands, normalisation) and constraints
    apply to an override as they do to the section; `model` must have no model validator
    that reads its fields (cross-field checks belong to the merged result's model)."""
    fields: dict[str, Any] = {}
    for field_name, field in model.model_fields.items():
        annotation: Any = field.annotation
        if field.metadata:
            annotation = Annotated[(annotation, *field.metadata)]
        fields[field_name] = (
            Optional[annotation],
            Field(None, description=field.description),
        )
    partial: type[M] = create_model(
        name,
        __base__=model,
        __doc__=f"Any `{model.__name__}` option; merged over the section for that role or key.",
        __module__=model.__module__,
        **fields,
    )
    return partial


class Partial(GetPydanticSchema):
    """`Annotated` metadata: validate a field as `partial_model(model, name)`.

    A class made at run time is no type to mypy, so the field's type stays `BaseModel` and
    this metadata hands pydantic the generated model (its validation and JSON Schema);
    `model` is that model (the config schema documents it)."""

    model: type[BaseModel]

    def __init__(self, model: type[BaseModel], name: str) -> None:
        partial = partial_model(model, name)
        super().__init__(lambda _source, handler: handler.generate_schema(partial))
        object.__setattr__(self, "model", partial)  # a frozen dataclass's way to set one
