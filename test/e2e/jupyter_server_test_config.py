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

# `--config FILE` replaces the server's own config search, so the
# jupyter_server_config.d/ file our package installs is not read by itself:
# read it from where `pip install` put it (a missing file fails the run,
# which is the check that the package installs it).
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

_installed = Path(sys.prefix, "etc", "jupyter", "jupyter_server_config.d", "jupyterlab_provenance.json")
for _section, _values in json.loads(_installed.read_text()).items():
    for _name, _value in _values.items():
        setattr(getattr(c, _section), _name, _value)  # noqa: F821
