"""The studio's web app: a Starlette application served by uvicorn, a page and a JSON API.

Security: the server binds to 127.0.0.1 unless told otherwise; every request to the API carries the token
printed with the address (so another site open in the same browser cannot drive it, and a page that
rebinds a name to 127.0.0.1 is refused by the Host check); bodies are small JSON; files are named by bare
names and stay in the base's folder (:mod:`partnersim.studio.state`). The page sends changes in the
``--set`` syntax: nothing from the browser is run as code.
"""

from __future__ import annotations

import hmac
import json
import secrets
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from partnersim.studio.state import Change, Studio, StudioError

MAX_BODY = 100_000  # bytes of a request's JSON: a what-if of a few hundred changes, far from any limit of use
HEADER = "x-studio-token"
STATIC = {"app.js": "text/javascript", "style.css": "text/css"}


def make_app(base: Path, *, token: str | None = None, hosts: tuple[str, ...] = (),
             levels: tuple[int, ...] | None = None) -> Starlette:
    """The studio for the scenario at ``base``. ``hosts``: the Host headers accepted (empty: any, for tests
    that call the app directly)."""
    key = token or secrets.token_urlsafe(24)
    holder: dict[str, Studio] = {"studio": Studio(base, levels=levels)}

    def studio() -> Studio:
        return holder["studio"]

    def allowed(request: Request) -> Response | None:
        if hosts and request.headers.get("host", "") not in hosts:
            return JSONResponse({"problems": ["this studio answers only at the address it printed"]}, 403)
        return None

    def authorised(request: Request) -> Response | None:
        """None if the request comes to the printed address with the token (its header; a download's link, which
        cannot set a header, carries it in the query)."""
        refused = allowed(request)
        if refused is not None:
            return refused
        given = request.headers.get(HEADER) or request.query_params.get("token", "")
        if not hmac.compare_digest(given.encode(), key.encode()):
            return JSONResponse({"problems": ["open the studio at the address partnersim studio printed "
                                              "(it carries the token)"]}, 401)
        return None

    async def body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise StudioError([f"the request is larger than {MAX_BODY:,} bytes"])
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise StudioError(["the request is not JSON"]) from None
        if not isinstance(data, dict):
            raise StudioError(["the request is not a JSON object"])
        return data

    def changes_of(data: dict[str, Any]) -> list[Change]:
        items = data.get("changes", [])
        if not isinstance(items, list) or len(items) > 500:
            raise StudioError(["changes: a list of at most 500 settings"])
        return [Change.parse(item) for item in items]

    def api(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            refused = authorised(request)
            if refused is not None:
                return refused
            try:
                return JSONResponse(await handler(request))
            except StudioError as exc:
                return JSONResponse({"problems": exc.lines}, 400)
            except Exception as exc:  # noqa: BLE001 - a failure says why and leaves the studio working
                return JSONResponse({"problems": [f"the studio failed: {type(exc).__name__}: {exc}"]}, 500)
        return endpoint

    async def page(request: Request) -> Response:
        refused = allowed(request)
        if refused is not None:
            return refused
        if not hmac.compare_digest(request.query_params.get("token", "").encode(), key.encode()):
            return HTMLResponse("<!doctype html><title>partnersim studio</title><p>Open the studio at the address "
                                "<code>partnersim studio</code> printed: it carries the token.</p>", 401)
        return HTMLResponse(_static("index.html"))

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response("not found", 404)
        return Response(_static(name), media_type=STATIC[name])

    async def info(request: Request) -> dict[str, Any]:
        found = studio().info()
        found["bases"] = _bases(studio())
        return found

    async def switch(request: Request) -> dict[str, Any]:
        data = await body(request)
        name = str(data.get("file", ""))
        if name not in _bases(studio()):
            raise StudioError([f"{name!r} is not a scenario file in the studio's folder"])
        holder["studio"] = Studio(studio().folder / name, levels=levels)
        return await info(request)

    async def check(request: Request) -> dict[str, Any]:
        studio().check(changes_of(await body(request)))
        return {"problems": []}

    async def run(request: Request) -> dict[str, Any]:
        return {"job": studio().start(changes_of(await body(request)))}

    async def job(request: Request) -> dict[str, Any]:
        return studio().job(request.path_params["job"])

    async def save(request: Request) -> dict[str, Any]:
        data = await body(request)
        file = studio().save(str(data.get("name", "")), changes_of(data), overwrite=bool(data.get("overwrite")))
        return {"file": file, "files": studio().files()}

    async def open_(request: Request) -> dict[str, Any]:
        data = await body(request)
        return {"changes": [c.__dict__ for c in studio().open(str(data.get("name", "")))]}

    async def briefing(request: Request) -> dict[str, Any]:
        data = await body(request)
        names = data.get("names", [])
        if not isinstance(names, list):
            raise StudioError(["names: a list of saved what-ifs"])
        made = studio().briefing([str(n) for n in names], str(data.get("format", "pptx")))
        return {"file": made.relative_to(studio().folder).as_posix()}

    async def file(request: Request) -> Response:
        refused = authorised(request)
        if refused is not None:
            return refused
        try:
            path = studio().made(request.query_params.get("path", ""))
        except StudioError as exc:
            return JSONResponse({"problems": exc.lines}, 404)
        return FileResponse(path, filename=path.name)

    routes = [
        Route("/", page),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/static/{name}", static),
        Route("/api/info", api(info)),
        Route("/api/base", api(switch), methods=["POST"]),
        Route("/api/check", api(check), methods=["POST"]),
        Route("/api/run", api(run), methods=["POST"]),
        Route("/api/run/{job}", api(job)),
        Route("/api/save", api(save), methods=["POST"]),
        Route("/api/open", api(open_), methods=["POST"]),
        Route("/api/briefing", api(briefing), methods=["POST"]),
        Route("/api/file", file),
    ]
    app = Starlette(routes=routes)
    app.state.token = key
    app.state.studio = holder
    return app


def _bases(studio: Studio) -> list[str]:
    """The scenario files of the studio's folder that are not what-ifs of the current base."""
    whatifs = set(studio.files())
    return [p.name for p in sorted(studio.folder.glob("*.yaml")) if p.is_file() and p.name not in whatifs
            and not p.name.startswith(".")]


def _static(name: str) -> str:
    return resources.files("partnersim.studio").joinpath(f"static/{name}").read_text(encoding="utf-8")


__all__ = ["HEADER", "make_app"]
