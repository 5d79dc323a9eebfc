"""jupyterlab-provenance: W3C PROV provenance capture for JupyterLab notebooks.

The Python package ships the prebuilt JupyterLab extension and the bundled
kernel-side agent with its `nbprov` command (`_nbprov.py`, which runs
`agent/nbprov.mjs` with Node.js); all logic lives in the TypeScript sources
(see README.md).
"""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only in a source tree never built
    import warnings

    warnings.warn("Importing 'jupyterlab_provenance' outside a proper installation.")
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-provenance"}]
