"""gunicorn settings, read from the project folder (``gunicorn -w 4 wsgi:app`` finds this file).

The app is built once in the master and the workers are forked from it (``preload_app``), so
they share its memory instead of each building their own copy; on the project machine the
workers then spent about a fifth less CPU per resident post (benchmarks/submit_throughput.py, which
serves both of its servers with this file). The collector is told to leave those preloaded
objects alone (``gc.freeze``): it neither walks them in full collections nor writes to their
pages, which would copy them into every worker.
"""

import gc

preload_app = True


def when_ready(server):  # type: ignore[no-untyped-def]
    """In the master, after the app is built and before any worker is forked."""
    gc.collect()
    gc.freeze()


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """A worker must not share database connections with the master or its siblings. The app
    opens none while it is built; should that change, the worker drops the inherited ones
    without closing them under the master (SQLAlchemy's advice for forked pools)."""
    app = server.app.wsgi()
    extension = getattr(app, "extensions", {}).get("sqlalchemy")
    if extension is not None:
        with app.app_context():
            for engine in extension.engines.values():
                engine.dispose(close=False)
