"""`policyengine serve`: the engine behind an HTTP API, over a durable, append-only fact store.

Modules, edge inwards: `app` (routes, OpenAPI wiring), `openapi` (the description's
shapes), `http` (errors, body limit), `auth` (tokens and scopes), `views` (what each route
does apart from HTTP), `ingest` (request bodies -> checked facts, the CLI's errors),
`reads` (stored facts -> the same pure `evaluate`, cached), `state` (what a running
service holds), `store` with `sqlite` and `postgres` (append-only storage).

`create_app` needs the `serve` extra (FastAPI); the store and the checks do not:

    from policyengine.service.app import create_app
    from policyengine.service.state import ServiceConfig
"""
