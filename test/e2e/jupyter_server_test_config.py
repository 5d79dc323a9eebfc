"""Jupyter Server configuration for the end-to-end tests (never for real use:
it turns the server's protections off, as Galata's own helper does)."""
import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is provided by traitlets
c.ServerApp.port = int(os.environ.get("NBPROV_E2E_PORT", "18888"))  # noqa: F821
c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.LabApp.news_url = None  # noqa: F821
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821 - CI runs as root
c.ServerApp.log_level = "WARN"  # noqa: F821
# The default limit (1 MB/s) makes the server drop a large output before the
# browser sees it; the 50 MB output test needs the output to reach the page.
c.ServerApp.iopub_data_rate_limit = 1e10  # noqa: F821
