"""Contact groups (groups.php): a group, and what creates or renames one."""

from typing import ClassVar, Self

from pydantic import Field

from facade.domain import groups
from facade.domain.bounds import MAX_GROUP_NUMBER
from facade.domain.groups import GroupKind
from facade.domain.rules import require_id, require_int, require_name
from facade.vocabulary.fields import GroupNumber, Name, SmscId
from facade.vocabulary.shapes import ID, Input, Output, example


class Group(Output):
    """A contact group."""

    model_config = example({"id": "41", "name": "VIP clients", "number": 100, "contactCount": 3})

    id: ID
    name: str
    number: int | None
    contact_count: int | None = Field(
        description="Contacts in the group; null when SMSC does not say."
    )

    @classmethod
    def from_domain(cls, group: groups.Group) -> Self:
        return cls(
            id=ID(group.id), name=group.name, number=group.number, contact_count=group.contact_count
        )


class CreateGroup(Input):
    """A contact group to create."""

    model_config = example({"name": "New clients", "number": 400})

    name: Name
    number: GroupNumber | None = Field(
        default=None, description="Its short number, unique in the account (G<number> in jobs)."
    )
    kind: GroupKind = GroupKind.PHONES

    def to_domain(self) -> groups.GroupDraft:
        number = self.number
        return groups.GroupDraft(
            name=require_name(self.name, "name"),
            number=None if number is None else require_int(number, "number", 0, MAX_GROUP_NUMBER),
            kind=self.kind,
        )


class RenameGroup(Input):
    """A group's new name."""

    model_config = example({"name": "VIP clients, 2025"})
    whole: ClassVar[str] = "body"

    name: Name

    def to_domain(self) -> str:
        return require_name(self.name, "name")


class _GroupId(Input):
    id: SmscId


class RenameGroupById(RenameGroup, _GroupId):
    """A group's new name."""

    # GraphQL's RenameGroupInput: REST's body, with the id REST takes from the path first.

    def to_domain(self) -> str:
        require_id(self.id, "id")
        return super().to_domain()


__all__ = ["CreateGroup", "Group", "RenameGroup", "RenameGroupById"]
