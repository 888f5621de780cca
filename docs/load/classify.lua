-- wrk script: POST one short review per request to /api/classify (docs/benchmarks.md, HTTP section).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"inputs":"The battery died after two days and support never answered."}'
