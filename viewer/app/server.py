"""Serve the app with Panel's server, offline, on 127.0.0.1 by default."""

from __future__ import annotations

import panel as pn


def create_app(classroom: bool = False):
    from viewer.app.main import GmedApp
    from viewer.app.startup import first_view

    # query parameters are not trusted: only the classroom flag is read
    args = pn.state.session_args or {}
    flag = args.get("classroom", [b""])[0].decode("ascii", "replace").lower() in ("1", "true", "yes")
    app = GmedApp(classroom=classroom or flag)
    # the full scene is built once the first browser has drawn its first frame
    app.view3d.param.watch(lambda e: e.new and first_view.set(), "drawn")
    return pn.Column(app, sizing_mode="stretch_both")


def serve(host: str = "127.0.0.1", port: int = 5006, open_browser: bool = True, classroom: bool = False):
    """Start the server (blocking). The shared meshes are built meanwhile (see start_scene_build)."""
    pn.extension(design=None, notifications=False)
    url = f"http://{'127.0.0.1' if host in ('127.0.0.1', 'localhost') else host}:{port}/"
    print(f"gmed-viewer: open {url}  (Ctrl-C stops the server)", flush=True)
    pn.serve(
        {"/": lambda: create_app(classroom)},
        address=host,
        port=port,
        show=open_browser,
        title="gmed-viewer: gluteus medius",
        websocket_origin=[f"{host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"],
        autoreload=False,
        dev=False,
        print=False,
    )
