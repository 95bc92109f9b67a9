"""`FreshnessExtension`: how fresh each top-level field's data is, in `extensions.freshness`.

`{"templates": {"status": "hit" | "miss" | "stale", "age": seconds}}`, keyed by response key
(an alias when the query gives one), from what `Context.unwrap` recorded during execution.
"""

from typing import Any

from strawberry.extensions import SchemaExtension

from facade.graphql.context import Context


class FreshnessExtension(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, Context) or not context.freshness:
            return {}
        return {"freshness": {key: found.to_json() for key, found in context.freshness.items()}}
