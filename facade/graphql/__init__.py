"""The GraphQL API: strawberry types, queries and mutations, thin over `SmscClient`."""
