"""A repeated cached `GET /v1/templates` next to a plain Starlette endpoint with the same
payload, in one run: req/s, p50 and p99, and their ratio.

Run: .venv/bin/python -m bench.rest   (needs wrk: apt-get install wrk)
"""

import tempfile

import httpx

from bench.loadgen import CONNECTIONS, DURATION, uvicorn, wrk

PATH = "/v1/templates"
HEADERS = {"Accept": "application/json"}


def main() -> None:
    with uvicorn("facade.app:app_from_env", factory=True) as facade:
        first = httpx.get(facade + PATH, headers=HEADERS)
        first.raise_for_status()
        assert first.headers["content-type"] == "application/json", first.headers
        rest = wrk(facade + PATH, headers=HEADERS)
        after = httpx.get(facade + PATH, headers=HEADERS)
        assert after.headers["x-facade-cache"] == "hit", "the run was served from the cache"
    with tempfile.NamedTemporaryFile(suffix=".json") as payload:
        payload.write(first.content)
        payload.flush()
        with uvicorn("bench.reference:app", env={"BENCH_PAYLOAD_FILE": payload.name}) as plain:
            reference = wrk(plain + "/", headers=HEADERS)
    print(
        f"{len(first.content)} byte payload, {CONNECTIONS} connections, {DURATION} each, one uvicorn worker"
    )
    for name, result in (("rest GET /v1/templates (cached)", rest), ("plain starlette", reference)):
        print(
            f"  {name:32} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.2f} ms  "
            f"p99 {result['p99_ms']:6.2f} ms  non-2xx {result['non_2xx']:.0f}"
        )
    print(f"  ratio rest/plain: {rest['rps'] / reference['rps']:.1%}")


if __name__ == "__main__":
    main()
