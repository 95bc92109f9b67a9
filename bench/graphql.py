"""A repeated cached `templates` GraphQL query next to a plain Starlette endpoint with the same
payload, in one run: req/s, p50 and p99, and their ratio.

Run: .venv/bin/python bench/graphql.py   (needs wrk: apt-get install wrk)
"""

import json
import tempfile

import httpx

from bench.loadgen import CONNECTIONS, DURATION, uvicorn, wrk

QUERY = "{ templates { id name message format sender autoSign } }"
HEADERS = {"Content-Type": "application/json", "Accept": "application/graphql-response+json"}


def main() -> None:
    body = json.dumps({"query": QUERY})
    with uvicorn("facade.app:app_from_env", factory=True) as facade:
        first = httpx.post(facade + "/graphql", content=body, headers=HEADERS)
        first.raise_for_status()
        assert "errors" not in first.json(), first.text
        graphql = wrk(facade + "/graphql", method="POST", body=body, headers=HEADERS)
    with tempfile.NamedTemporaryFile(suffix=".json") as payload:
        payload.write(first.content)
        payload.flush()
        with uvicorn("bench.reference:app", env={"BENCH_PAYLOAD_FILE": payload.name}) as plain:
            reference = wrk(plain + "/", method="POST", body=body, headers=HEADERS)
    print(
        f"{len(first.content)} byte payload, {CONNECTIONS} connections, {DURATION} each, one uvicorn worker"
    )
    for name, result in (("graphql templates (cached)", graphql), ("plain starlette", reference)):
        print(
            f"  {name:28} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.2f} ms  "
            f"p99 {result['p99_ms']:6.2f} ms  non-2xx {result['non_2xx']:.0f}"
        )
    print(f"  ratio graphql/plain: {graphql['rps'] / reference['rps']:.1%}")


if __name__ == "__main__":
    main()
